"""Admin forms of a register's parts: the rules that span several fields."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from controllers.tenancy import TenantModelForm

from .languages import default_field


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
