"""Text fields a company types into, with the input rules on the model.

Every path that saves a tenant's text (the admin, the backup import, the demo
loader) runs the model's validators, so the rules live here once: no invisible
control or text-direction characters, and a length limit on long texts.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models

from .validators import TEXT_MAX_LENGTH, validate_no_control_characters


def _drop_own_validators(kwargs: dict[str, Any]) -> None:
    """Leave the validators these fields add themselves out of migrations."""
    kept = [
        validator
        for validator in kwargs.pop("validators", [])
        if validator is not validate_no_control_characters
        and not isinstance(validator, MaxLengthValidator)
    ]
    if kept:
        kwargs["validators"] = kept


class LineField(models.CharField):
    """A one-line text (a name, a title) a tenant types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["validators"] = [*kwargs.get("validators", ()), validate_no_control_characters]
        super().__init__(*args, **kwargs)

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, path, args, kwargs = super().deconstruct()
        _drop_own_validators(kwargs)
        return name, "controllers.fields.LineField", args, kwargs


class ProseField(models.TextField):
    """A free text a tenant types, at most ``TEXT_MAX_LENGTH`` characters.

    A megabyte pasted into one field would make the admin page and the PDF of
    every later version huge and slow.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", TEXT_MAX_LENGTH)
        kwargs["validators"] = [
            *kwargs.get("validators", ()),
            MaxLengthValidator(kwargs["max_length"]),
            validate_no_control_characters,
        ]
        super().__init__(*args, **kwargs)

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, path, args, kwargs = super().deconstruct()
        _drop_own_validators(kwargs)
        if kwargs.get("max_length") == TEXT_MAX_LENGTH:
            kwargs.pop("max_length")
        return name, "controllers.fields.ProseField", args, kwargs
