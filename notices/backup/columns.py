"""What a backup file holds of each model, read from the models and the registries.

Nothing here lists a model's fields by hand. An object in the file has one key
per concrete field of its model (``Column``), in the model's order:

- a translated field (django-modeltranslation's registry) is one key holding a
  ``{language: text}`` dict over the configured languages, not one key a column;
- a link to a shared catalogue (``CATALOGUES``) holds the entry's natural key:
  a legal basis or right by ``code``, the supervisory authority by ``email``;
- a link to a user holds the username;
- a link to another object of the file holds that object's ``ref``, a string
  local to the file (never a database key);
- a file (the logo, a PDF) holds its bytes (``schema.StoredFile``);
- anything else holds its value as JSON.

The link to the object a list sits in (a part's ``register``) is implied by
where it sits and left out; so are the primary key (written as ``id``) and a
many-to-many relation with its own model (``Register.processors``: the
``processors`` part lists those rows). The export, the schema and the import
are all built from ``columns()``, so a field added to a model is in the backup.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from modeltranslation.fields import TranslationField
from modeltranslation.utils import build_localized_fieldname

from controllers.models import ContactPerson, Controller, Membership

from .. import languages
from ..models import (
    LegalBasis,
    NoticeRendering,
    NoticeVersion,
    Processor,
    Register,
    Right,
    SupervisoryAuthority,
)
from ..parts import PARTS, Part, translated_fields


class Kind(enum.Enum):
    VALUE = "value"
    TEXT = "text"  # {language: text}
    REF = "ref"  # the ref of another object of the file
    REFS = "refs"
    CODE = "code"  # a catalogue entry's natural key
    CODES = "codes"
    USER = "user"  # a username
    FILE = "file"


@dataclass(frozen=True)
class Catalogue:
    """A shared catalogue a backup names by natural key, and what an unknown key says."""

    key: str
    unknown: Promise  # with %(code)s
    error_code: str = "unknown_code"


CATALOGUES: dict[type[models.Model], Catalogue] = {
    LegalBasis: Catalogue("code", _("unknown legal basis code “%(code)s”.")),
    Right: Catalogue("code", _("unknown right code “%(code)s”.")),
    SupervisoryAuthority: Catalogue(
        "email",
        _(
            "this database has no supervisory authority with the email address "
            "“%(email)s”; add it to the catalogue first."
        ),
        "unknown_authority",
    ),
}


@dataclass(frozen=True)
class Column:
    """One key of an object in the file and the model field it stands for."""

    key: str
    field: models.Field
    kind: Kind

    @property
    def related_model(self) -> type[models.Model]:
        return self.field.related_model  # type: ignore[return-value]

    @property
    def null(self) -> bool:
        return bool(self.field.null)


@dataclass(frozen=True)
class Layout:
    """Where a model's objects sit in the file: under which owner, with a ref and an id."""

    model: type[models.Model]
    owner: str = ""  # the link to the object the list sits in, left out of the file
    ref: bool = False  # other objects may refer to it by a file-local "ref"
    id: bool = False  # carries its primary key ("id"), kept on import where free


CONTROLLER = Layout(Controller, id=True)
CONTACT_PERSON = Layout(ContactPerson, owner="controller", ref=True, id=True)
PROCESSOR = Layout(Processor, owner="controller", ref=True, id=True)
MEMBERSHIP = Layout(Membership, owner="controller")
REGISTER = Layout(Register, owner="controller", ref=True, id=True)
VERSION = Layout(NoticeVersion, owner="register", id=True)
RENDERING = Layout(NoticeRendering, owner="version")


def part_layout(part: Part) -> Layout:
    return Layout(part.model, owner="register", ref=True, id=True)


def _kind(field: models.Field, translated: tuple[str, ...]) -> Kind:
    if field.name in translated:
        return Kind.TEXT
    if isinstance(field, models.FileField):
        return Kind.FILE
    if not field.is_relation:
        return Kind.VALUE
    many = bool(field.many_to_many)
    if field.related_model is get_user_model():
        return Kind.USER
    if field.related_model in CATALOGUES:
        return Kind.CODES if many else Kind.CODE
    return Kind.REFS if many else Kind.REF


@cache
def columns(layout: Layout) -> tuple[Column, ...]:
    """The keys of one object of ``layout`` besides ``ref`` and ``id``, in model order."""
    model = layout.model
    translated = translated_fields(model)
    result = []
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        through = getattr(field.remote_field, "through", None)
        if (
            field.primary_key
            or field.name == layout.owner
            or isinstance(field, TranslationField)
            or (through is not None and not through._meta.auto_created)
        ):
            continue
        result.append(Column(field.name, field, _kind(field, translated)))
    return tuple(result)


def localized(column: Column, language: str) -> str:
    """The model attribute holding one language of a translated column: ``name_<language>``."""
    return build_localized_fieldname(column.key, language)


def file_keys(model: type[models.Model]) -> dict[str, str]:
    """Model field names as keys of the file: ``name_<language>`` → ``name.<language>``."""
    keys = {}
    for field in model._meta.get_fields():
        keys[field.name] = field.name
        if getattr(field, "attname", None):
            keys[field.attname] = field.name
    for name in translated_fields(model):
        for language in languages.codes():
            keys[build_localized_fieldname(name, language)] = f"{name}.{language}"
    return keys


def part_order() -> tuple[Part, ...]:
    """The parts in an order that creates a linked part before the parts that link to it.

    ``PARTS`` order where it allows (groups before the categories that name them,
    categories before the retention rules that name them).
    """
    remaining = list(PARTS)
    ordered: list[Part] = []
    while remaining:
        for part in remaining:
            needs = {
                column.related_model
                for column in columns(part_layout(part))
                if column.kind in (Kind.REF, Kind.REFS)
            }
            if not needs & {p.model for p in remaining if p is not part}:
                ordered.append(part)
                remaining.remove(part)
                break
        else:
            raise RuntimeError("The parts of a register link to each other in a cycle.")
    return tuple(ordered)
