"""Why a backup is refused, and where in the file: one error type for every stage.

Paths name the place in the file as ``registers[0].purposes[2].name.sv``. The
schema's errors come from pydantic with that path; their messages are
translated here from pydantic's error type, so an operator reads them in the
active language. The model's own rules (``full_clean``) come from Django with
messages already translated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .columns import file_keys


class BackupError(Exception):
    """A backup cannot be exported or imported; the message says why (translated).

    ``code`` is a stable identifier of the kind of problem, ``path`` the place in
    the file (e.g. ``registers[0].purposes[2].legal_bases[1]``). Where the
    schema found several problems, ``problems`` lists them all; the message
    names the first.
    """

    def __init__(self, message: str, *, code: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.message = message
        self.code = code
        self.path = path
        self.problems: list[BackupError] = [self]


def path_of(loc: Iterable[Any], prefix: str = "") -> str:
    """``("registers", 0, "purposes", 2, "name")`` as ``registers[0].purposes[2].name``."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":  # pydantic's marker for an error in a dict's key
            path = f"{path}.{part}" if path else str(part)
    return path


# The error types the schema's own validators raise (PydanticCustomError).
CUSTOM_CODES = frozenset({"type", "bad_ref", "unsafe_name", "missing_key", "unknown_key"})

# What the file should have held, by pydantic's error type.
EXPECTED = {
    "string_type": gettext_lazy("a string"),
    "int_type": gettext_lazy("an integer"),
    "bool_type": gettext_lazy("true or false"),
    "dict_type": gettext_lazy("an object"),
    "model_type": gettext_lazy("an object"),
    "model_attributes_type": gettext_lazy("an object"),
    "list_type": gettext_lazy("a list"),
    "greater_than_equal": gettext_lazy("a positive integer"),
    "less_than_equal": gettext_lazy("a positive integer"),
}


def _problem(error: Any, prefix: str) -> BackupError:
    kind, loc = error["type"], error["loc"]
    path = path_of(loc, prefix)
    key = str(loc[-1]) if loc else ""
    if kind == "missing":
        return BackupError(
            _("the key “%(key)s” is missing.") % {"key": key}, code="missing_key", path=path
        )
    if kind == "extra_forbidden":
        return BackupError(
            _("the key “%(key)s” is not part of this format.") % {"key": key[:100]},
            code="unknown_key",
            path=path,
        )
    if kind in EXPECTED:
        return BackupError(
            _("expected %(expected)s.") % {"expected": EXPECTED[kind]}, code="type", path=path
        )
    if kind in CUSTOM_CODES:
        # Raised by the schema's own validators, with a message already translated.
        return BackupError(error["msg"], code=kind, path=path)
    return BackupError(
        _("invalid values: %(errors)s") % {"errors": error["msg"]}, code="type", path=path
    )


def schema_error(error: pydantic.ValidationError, prefix: str = "") -> BackupError:
    """The schema's first problem as a BackupError, with every problem in ``problems``.

    ``prefix`` is the place in the file of what was validated (a version of an archive).
    """
    problems = [_problem(item, prefix) for item in error.errors(include_url=False)]
    first = problems[0]
    first.problems = problems
    return first


def _field_messages(error: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return [(name, messages) for name, messages in error.message_dict.items()]
    return [("__all__", list(error.messages))]


def model_error(error: ValidationError, model: type[models.Model], path: str) -> BackupError:
    """A model's own rules refused an object: the message names the field's place in the file."""
    keys = file_keys(model)
    problems = []
    for name, messages in _field_messages(error):
        where = path if name == "__all__" else f"{path}.{keys.get(name, name)}"
        problems.append(
            BackupError(
                _("invalid values: %(errors)s") % {"errors": " ".join(messages)},
                code="invalid",
                path=where,
            )
        )
    first = problems[0]
    first.problems = problems
    return first
