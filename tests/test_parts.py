"""One definition of a notice's parts: every layer is built from notices.parts.

A part added to the registry but missing from one layer (the snapshot, the
snapshot's declared shape, notice.json, the change list, the completeness
labels, the admin) fails here; so does a register part model that is not in the
registry at all, a tenant text field without the input rules, and an app module
that names a language.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils import translation

from controllers.fields import LineField, ProseField
from notices import changes, completeness, parts, rendering, snapshot
from notices.models import NoticeVersion, Register, RegisterPart
from tests.conftest import Tenant
from tests.notices_factory import complete_notice, publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

ROOT = Path(__file__).resolve().parent.parent


def test_every_register_part_model_is_in_the_registry():
    registered = {part.model for part in parts.PARTS}
    part_models = {
        model
        for model in apps.get_app_config("notices").get_models()
        if issubclass(model, RegisterPart)
    }
    assert part_models == registered


def test_part_keys_are_unique_and_distinct_from_the_sections():
    keys = [part.key for part in parts.PARTS] + [section.key for section in parts.SECTIONS]
    assert len(keys) == len(set(keys))


def test_the_declared_snapshot_shape_names_every_part_and_section():
    declared = typing.get_type_hints(snapshot.Snapshot)
    for key in [*parts.PARTS_BY_KEY, *(section.key for section in parts.SECTIONS)]:
        assert key in declared, key


@pytest.mark.django_db
def test_a_snapshot_holds_every_part_with_the_declared_item_keys(acme: Tenant):
    complete_notice(acme)
    built = snapshot.build_snapshot(acme.register)
    declared = typing.get_type_hints(snapshot.Snapshot)
    assert set(built) == {key for key in declared if key != "legal_bases"}
    for part in parts.PARTS:
        item_type = typing.get_args(declared[part.key])[0]
        for item in built[part.key]:
            assert set(item) == set(typing.get_type_hints(item_type)), part.key


@pytest.mark.django_db
def test_notice_json_has_every_part(acme: Tenant, media):
    complete_notice(acme)
    version = publish(acme.register, acme_publisher(acme))
    document = json.loads(version.renderings.get(language="fi").json)
    for key in [*parts.PARTS_BY_KEY, *(section.key for section in parts.SECTIONS)]:
        assert key in document, key


def acme_publisher(acme: Tenant):  # type: ignore[no-untyped-def]
    from tests.notices_factory import make_publisher

    return make_publisher(acme.controller)


def test_every_part_and_section_has_a_change_list_label():
    with translation.override("en"):
        for part in parts.PARTS:
            assert parts.section_label(part.key) == str(part.label)
        for section in parts.SECTIONS:
            assert parts.section_label(section.key) == str(section.label)
    # Change lists stored before the keys were unified still read.
    assert parts.section_label("contact") == parts.section_label("contact_person")


def test_every_part_is_edited_by_an_inline_of_the_register_admin():
    register_admin = admin.site._registry[Register]
    inline_models = [inline.model for inline in register_admin.inlines]
    assert inline_models == [part.model for part in parts.PARTS]
    for inline, part in zip(register_admin.inlines, parts.PARTS, strict=True):
        assert tuple(inline.fields) == part.inline.fields


def test_every_translated_field_of_a_part_has_a_completeness_label():
    with translation.override("en"):
        for part in parts.PARTS:
            for name in parts.translated_fields(part.model):
                label = completeness._field_label(part.key, name)
                assert label == str(part.model._meta.get_field(name).verbose_name)


@pytest.mark.django_db
def test_a_new_item_in_each_part_is_in_the_change_list(acme: Tenant):
    complete_notice(acme)
    before = snapshot.build_snapshot(acme.register)
    after = json.loads(json.dumps(before))
    for part in parts.PARTS:
        if after[part.key]:
            clone = dict(after[part.key][0])
            clone[part.identity] = "new" if part.identity == "code" else 10**9
            after[part.key].append(clone)
    listed = {change["section"] for change in changes.compute_changes(before, after)}
    expected = {part.key for part in parts.PARTS if before[part.key]}
    assert expected <= listed
    assert len(expected) >= 8  # the complete notice fills most parts


# --- Input rules on the models ----------------------------------------------------------


def _tenant_text_fields():  # type: ignore[no-untyped-def]
    for app in ("controllers", "notices"):
        for model in apps.get_app_config(app).get_models():
            if model._meta.object_name in (
                "Membership",
                "AuditEvent",
                "NoticeVersion",
                "NoticeRendering",
            ):
                continue
            for field in model._meta.get_fields():
                if (
                    isinstance(field, models.CharField | models.TextField)
                    and not isinstance(field, models.SlugField | models.EmailField)
                    and not isinstance(field, models.URLField)
                    and field.editable
                    and not field.choices
                    and field.name not in ("code", "article")
                ):
                    yield model, field


def test_every_text_a_company_types_carries_the_input_rules():
    checked = 0
    for model, field in _tenant_text_fields():
        assert isinstance(field, LineField | ProseField), f"{model.__name__}.{field.name}"
        checked += 1
    assert checked > 60  # every language's column of every text


def test_the_rules_run_in_full_clean_of_every_language_column(acme: Tenant):
    purpose = acme.register.purposes.first()
    for code, _name in settings.LANGUAGES:
        setattr(purpose, f"description_{code}", "x" * 10_001)
        with pytest.raises(Exception) as refused:
            purpose.full_clean()
        assert f"description_{code}" in refused.value.message_dict
        setattr(purpose, f"description_{code}", "ok \u202e reversed")
        with pytest.raises(Exception) as refused:
            purpose.full_clean()
        assert refused.value.message_dict[f"description_{code}"]
        setattr(purpose, f"description_{code}", "")


# --- Languages are data -----------------------------------------------------------------

APP_DIRECTORIES = (
    "controllers",
    "notices",
    "subscriptions",
    "config",
    "templates",
    "bench",
    "load",
)
ALLOWED = {
    Path("config/settings.py"),  # where the languages are configured
}


def _app_sources():  # type: ignore[no-untyped-def]
    for directory in APP_DIRECTORIES:
        for path in sorted((ROOT / directory).rglob("*")):
            relative = path.relative_to(ROOT)
            if path.suffix not in (".py", ".html", ".js") or "migrations" in relative.parts:
                continue
            if "formats" in relative.parts or relative in ALLOWED:
                continue
            yield relative, path.read_text(encoding="utf-8")


def test_no_app_module_names_a_language():
    codes = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    quoted = re.compile(rf"""["'/](?:{codes})["'/]|_(?:{codes})\b""")
    found = []
    for relative, text in _app_sources():
        for number, line in enumerate(text.splitlines(), 1):
            if quoted.search(line) and "noqa: language" not in line:
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []


def test_the_version_summary_is_data_not_columns():
    names = {field.name for field in NoticeVersion._meta.get_fields()}
    assert "summary" in names
    assert not any(name.startswith("summary_") for name in names)


def test_rendering_reads_language_names_from_django():
    with translation.override("en"):
        names = [rendering.native_name(code) for code, _name in settings.LANGUAGES]
    assert len(set(names)) == len(settings.LANGUAGES)


@pytest.mark.django_db
def test_a_backup_holds_every_part_under_its_key(acme: Tenant, media):
    from notices.backup.export import controller_export

    complete_notice(acme)
    exported = controller_export(controller=acme.controller)
    register = exported["registers"][0]
    built = snapshot.build_snapshot(acme.register)
    for part in parts.PARTS:
        assert part.key in register, part.key
        if part.key != "rights":  # the snapshot lists only the rights the notice shows
            assert len(register[part.key]) == len(built[part.key]), part.key


def test_a_change_stored_under_an_old_section_key_reads_under_todays():
    stored = {
        "section": "contact",
        "kind": "changed",
        "name": {"fi": "Aino"},
        "substantive": False,
        "reason": None,
    }
    with translation.override("en"):
        described = changes.describe(stored, "fi")
        label = str(parts.SECTION_LABELS["contact_person"])
    assert described["section"] == "contact_person"
    assert described["section_label"] == label == "Contact person"
