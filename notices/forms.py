"""Admin forms of a register's parts: the rules that span several fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from controllers.tenancy import TenantModelForm

from .languages import default_field, field_names
from .models import Register


class PurposeForm(TenantModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        bases = cleaned.get("legal_bases") or []
        needs_interest = any(basis.is_legitimate_interest for basis in bases)
        interest = default_field("legitimate_interest")
        # The register may state the legitimate interest once for all its purposes.
        register = cleaned.get("register")
        stated_once = register is not None and (getattr(register, interest, "") or "").strip()
        if needs_interest and not (cleaned.get(interest) or "").strip() and not stated_once:
            self.add_error(
                interest,
                ValidationError(
                    _(
                        "Describe the legitimate interest pursued: this purpose rests on "
                        "Art. 6(1)(f)."
                    ),
                    code="legitimate_interest_missing",
                ),
            )
        return cleaned


class DataCategoryForm(TenantModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        register = cleaned.get("register")
        for group in cleaned.get("subject_groups") or []:
            if register is not None and group.register_id != register.pk:
                self.add_error(
                    "subject_groups",
                    ValidationError(
                        _("“%(group)s” is a group of another register."),
                        code="other_register",
                        params={"group": group},
                    ),
                )
                break
        return cleaned


# The transfers question's answers as the register's form offers them: the model's
# yes/no (``no_transfers``) and a third, the company's own words (``transfers_statement``).
OWN_WORDS = "own"
TRANSFER_ANSWERS = {"": None, "True": True, "False": False, OWN_WORDS: None}


class RegisterForm(TenantModelForm):
    """The register's form: the transfers question with its third answer, own words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        answer = self.fields.get("no_transfers")
        if answer is None:
            return  # a step without the question
        self.fields["no_transfers"] = forms.ChoiceField(
            label=answer.label,
            help_text=answer.help_text,
            required=False,
            widget=answer.widget,
            choices=[
                *[
                    ("" if value is None else str(value), label)
                    for value, label in Register._meta.get_field("no_transfers").choices
                ],
                (OWN_WORDS, _("in the company's own words: write the answer below")),
            ],
        )
        if self.instance.no_transfers is None and self.instance.has_transfers_statement():
            self.initial["no_transfers"] = OWN_WORDS
        elif self.instance.no_transfers is not None:
            self.initial["no_transfers"] = str(self.instance.no_transfers)

    def clean_no_transfers(self) -> bool | None:
        self.transfers_answer = self.cleaned_data.get("no_transfers") or ""
        return TRANSFER_ANSWERS.get(self.transfers_answer)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "no_transfers" not in self.fields:
            return cleaned
        answer = getattr(self, "transfers_answer", "")
        written = [
            name
            for name in field_names("transfers_statement")
            if name in self.fields and (cleaned.get(name) or "").strip()
        ]
        if answer == OWN_WORDS and not written:
            self.add_error(
                "no_transfers",
                ValidationError(
                    _("Write the answer in the company's own words below."),
                    code="transfers_statement_missing",
                ),
            )
        if answer == "" and written:
            # A choice with the text is the model's (Register.clean) to refuse.
            self.add_error(
                "no_transfers",
                ValidationError(
                    _(
                        "The answer is written in the company's own words below: choose "
                        "“in the company's own words”, or clear the text."
                    ),
                    code="transfers_choice_missing",
                ),
            )
        return cleaned
