"""The languages notices are published in: ``settings.LANGUAGES``, in that order.

No other module names a language. A register chooses which of these it
publishes (``Register.languages``); texts are stored per language by
django-modeltranslation (a column ``name_<code>`` per language) and read through here.
Dates are written as each language's format module says (``config/formats``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _


def codes() -> tuple[str, ...]:
    """Every configured language code, in the order of ``settings.LANGUAGES``."""
    return tuple(code for code, _name in settings.LANGUAGES)


def default() -> str:
    """The default language: a register publishes in it unless told otherwise."""
    return settings.LANGUAGE_CODE


def native_name(code: str) -> str:
    """A language's name in the language itself (Suomi, Svenska, English)."""
    name = get_language_info(code)["name_local"]
    return name[:1].upper() + name[1:]


def field_names(field: str) -> list[str]:
    """The per-language columns of a translated field, ``name_<code>``, in order."""
    return [f"{field}_{code}" for code in codes()]


def default_field(field: str) -> str:
    """The default language's column of a translated field (the one the admin requires)."""
    return f"{field}_{default()}"


def ordered(languages: Iterable[str]) -> list[str]:
    """``languages`` that are configured, once each, in the configured order."""
    chosen = set(languages)
    return [code for code in codes() if code in chosen]


def texts(obj: Any, field: str, languages: Iterable[str]) -> dict[str, str]:
    """A translated field's values in ``languages``, stripped ('' when empty)."""
    return {lang: (getattr(obj, f"{field}_{lang}", None) or "").strip() for lang in languages}


def names(obj: Any, field: str, languages: Iterable[str]) -> dict[str, str]:
    """A translated name in ``languages``; one given in a single language is the same
    in every language (a proper name: "Posti Oy" needs no translation).

    A name translated into some languages but not all stays incomplete, for the
    completeness check to ask for.
    """
    languages = tuple(languages)
    values = texts(obj, field, codes())
    given = [code for code in codes() if values[code]]
    if len(given) == 1:
        return dict.fromkeys(languages, values[given[0]])
    return {lang: values[lang] for lang in languages}


def is_text(value: Any) -> bool:
    """Whether ``value`` is a multilingual text: a dict keyed by configured languages."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(key, str) and key in codes() for key in value)
        and all(isinstance(item, str) for item in value.values())
    )


def default_register_languages() -> list[str]:
    return [default()]


def validate_languages(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."), code="no_languages")
    unknown = [code for code in value if code not in codes()]
    if unknown:
        raise ValidationError(
            _("Unknown language: %(codes)s."),
            code="unknown_language",
            params={"codes": ", ".join(map(str, unknown))},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A language is chosen twice."), code="duplicate_language")


class LanguagesField(models.JSONField):
    """A list of configured language codes, edited as check boxes.

    The choices come from settings at run time, so adding a language to
    ``settings.LANGUAGES`` needs no migration.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", default_register_languages)
        super().__init__(*args, **kwargs)
        if validate_languages not in self.validators:
            self.validators.append(validate_languages)

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, path, args, kwargs = super().deconstruct()
        return name, "notices.languages.LanguagesField", args, kwargs

    def formfield(self, **kwargs: Any):  # type: ignore[no-untyped-def]
        from django import forms

        return forms.TypedMultipleChoiceField(
            label=self.verbose_name,
            help_text=self.help_text,
            choices=settings.LANGUAGES,
            widget=forms.CheckboxSelectMultiple,
            required=not self.blank,
            initial=default_register_languages,
            **{k: v for k, v in kwargs.items() if k in ("label", "help_text", "initial")},
        )

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = ordered(getattr(model_instance, self.attname) or [])
        setattr(model_instance, self.attname, value)
        return value
