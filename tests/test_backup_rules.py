"""The import applies the models' own rules, as the admin does: in every language.

A backup is a way into the database beside the admin, so its texts meet the same
rules: at most 10,000 characters in a long text, no control or bidirectional
characters anywhere. The company is Turvaratkaisu (every kind of part) restored
from its version 1 backup, then exported as version 2 without its published
versions; each test spoils a Swedish text of that file and imports it over the
company.
"""

from __future__ import annotations

import copy
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from notices import backup
from notices.backup import BackupError, columns, controller_import
from notices.models import CoverageItem, EarlierChange, Purpose, Register, SectionLead
from notices.parts import PARTS
from tests.conftest import login
from tests.test_backup_version1 import version_1
from tests.test_isolation import form_data

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

SLUG = "turvaratkaisu"
BIDI_OVERRIDE = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: shows "exe.txt" as "txt.exe"


@pytest.fixture
def company(db, media) -> dict[str, Any]:
    """The company's backup (version 2, no versions), exported from this database."""
    controller = backup.import_controller(version_1(SLUG))
    # The parts the version 1 file predates, so that every text of the file is in it.
    register = controller.registers.first()
    CoverageItem.objects.create(register=register, name_fi="laskutus", name_sv="fakturering")
    SectionLead.objects.create(register=register, section="purposes", text_fi="Johdanto")
    EarlierChange.objects.create(register=register, date=date(2019, 1, 1), text_fi="Muutos")
    data = backup.controller_export(controller=controller)
    for register in data["registers"]:
        register["versions"] = []
    return data


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def refused(data: dict[str, Any]) -> BackupError:
    before = row_counts()
    with pytest.raises(BackupError) as error:
        controller_import(data=data, replace=True)
    assert row_counts() == before
    return error.value


def test_a_swedish_text_over_10000_characters_is_refused_with_its_path(company, tmp_path):
    company["registers"][0]["introduction"]["sv"] = "x" * 10_001
    path = tmp_path / "backup.json"
    path.write_bytes(backup.backup_dumps(company))

    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("import_controller", str(path), replace=True, stdout=StringIO())

    message = str(error.value)
    assert "nothing was changed" in message
    assert "registers[0].introduction.sv:" in message
    assert "at most 10000 characters (it has 10001)" in message
    register = Register.objects.get(controller__slug=SLUG)
    assert register.introduction_sv is None
    assert register.versions.count() == 2  # the published versions were not replaced


def test_a_bidirectional_override_in_a_swedish_text_is_refused_with_its_path(company):
    purpose = company["registers"][0]["purposes"][2]
    purpose["name"]["sv"] = f"Kundregister{BIDI_OVERRIDE}txt.exe"

    with translation.override("en"):
        error = refused(company)

    assert error.code == "invalid"
    assert error.path == "registers[0].purposes[2].name.sv"
    assert "U+202E" in error.message
    assert not Purpose.objects.filter(name_sv__contains=BIDI_OVERRIDE).exists()


def texts_of_the_file() -> list[tuple[str, columns.Layout, str]]:
    """Every translated text of a backup: (where its objects are listed, layout, key)."""
    places: list[tuple[str, columns.Layout]] = [
        ("controller", columns.CONTROLLER),
        ("contact_persons", columns.CONTACT_PERSON),
        ("processors", columns.PROCESSOR),
        ("registers", columns.REGISTER),
        *((f"registers.{part.key}", columns.part_layout(part)) for part in PARTS),
    ]
    return [
        (where, layout, column.key)
        for where, layout in places
        for column in columns.columns(layout)
        if column.kind is columns.Kind.TEXT
    ]


TEXTS = texts_of_the_file()


def first_object(data: dict[str, Any], where: str) -> tuple[dict[str, Any], str]:
    """The first object listed at ``where`` and its path in the file."""
    if where == "controller":
        return data["controller"], "controller"
    if where.startswith("registers."):
        key = where.split(".", 1)[1]
        return data["registers"][0][key][0], f"registers[0].{key}[0]"
    return data[where][0], f"{where}[0]"


@pytest.mark.parametrize(
    ("where", "layout", "key"),
    TEXTS,
    ids=[f"{where}.{key}" for where, _layout, key in TEXTS],
)
def test_every_text_of_the_file_refuses_a_control_character_in_swedish(company, where, layout, key):
    data = copy.deepcopy(company)
    obj, path = first_object(data, where)
    obj[key]["sv"] = f"Svensk text{BIDI_OVERRIDE}"

    with translation.override("en"):
        error = refused(data)

    assert (error.code, error.path) == ("invalid", f"{path}.{key}.sv")
    assert "invisible control character (U+202E)" in error.message


# --- The audit's three texts: refused by the admin and by the import alike ---------------

ESCAPE = "\x1b"
AUDITED_TEXTS = {
    "bidi-override": f"Johdanto{BIDI_OVERRIDE}txt.exe",
    "escape": f"Johdanto {ESCAPE}[31mpunainen{ESCAPE}[0m",
    "100000-characters": "x" * 100_000,
}


def admin_refusal(client: Client, register: Register, text: str) -> list[str]:
    """The messages (in English) the register's admin page shows for the introduction ``text``."""
    address = reverse("admin:notices_register_change", args=[register.pk])
    data = form_data(client.get(address))
    data["introduction_fi"] = text
    response = client.post(address, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()["introduction_fi"]
    with translation.override("en"):
        return [str(message) for error in errors for message in error]


@pytest.mark.parametrize("text", AUDITED_TEXTS.values(), ids=AUDITED_TEXTS.keys())
def test_the_import_refuses_the_introduction_the_admin_refuses(company, root, text):
    """One definition: the import's refusal carries the admin's own messages."""
    register = Register.objects.get(controller__slug=SLUG)
    shown = admin_refusal(login(root), register, text)
    assert shown
    data = copy.deepcopy(company)
    data["registers"][0]["introduction"]["fi"] = text

    with translation.override("en"):
        error = refused(data)

    assert (error.code, error.path) == ("invalid", "registers[0].introduction.fi")
    for message in shown:
        assert message in error.message
    assert Register.objects.get(pk=register.pk).introduction_fi != text
