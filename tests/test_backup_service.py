"""``notices.backup.import_controller``: the service that loads a company from a backup.

The demo companies are backup files without published versions, loaded through
this service and then published; it takes a path, the file's bytes or its data.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from controllers.models import Controller
from notices import backup, languages, services
from notices.models import Register
from tests.test_backup_version1 import version_1

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)


@pytest.fixture
def draft_file(db, media) -> dict[str, Any]:
    """Sovellustalo as a version 2 file without versions or ids; nothing of it in the db."""
    with transaction.atomic():
        controller = backup.import_controller(version_1("sovellustalo"))
        data = backup.controller_export(controller=controller)
        transaction.set_rollback(True)
    for register in data["registers"]:
        register["versions"] = []
    for obj in objects(data):
        obj.pop("id", None)
    return data


def objects(data: dict[str, Any]) -> list[dict[str, Any]]:
    found = [data["controller"], *data["contact_persons"], *data["processors"]]
    for register in data["registers"]:
        found.append(register)
        for value in register.values():
            if isinstance(value, list):
                found += [item for item in value if isinstance(item, dict)]
    return found


@pytest.mark.parametrize("form", ["path", "bytes", "data"])
def test_a_file_without_versions_creates_the_company_with_draft_registers(
    draft_file, tmp_path, form
):
    content = backup.backup_dumps(draft_file)
    path = tmp_path / "sovellustalo.json"
    path.write_bytes(content)
    source = {"path": path, "bytes": content, "data": json.loads(content)}[form]

    controller = backup.import_controller(source)

    assert isinstance(controller, Controller) and controller.pk
    assert controller.slug == "sovellustalo" and controller.logo.name.startswith("logos/")
    register = Register.objects.get(controller=controller)
    assert not register.versions.exists()
    assert register.purposes.count() == len(draft_file["registers"][0]["purposes"])
    # Users it names are created inactive, without a password, for the loader to set up.
    assert set(controller.memberships.values_list("user__username", flat=True)) == {
        "editor-sovellustalo",
        "publisher-sovellustalo",
    }
    assert not User.objects.filter(is_active=True).exists()


def test_the_loaded_company_can_be_published_and_loaded_again_over_itself(draft_file):
    controller = backup.import_controller(draft_file)
    publisher = User.objects.get(username="publisher-sovellustalo")
    publisher.is_active = True
    publisher.save()
    register = Register.objects.get(controller=controller)
    version = services.notice_publish(
        register=register,
        user=publisher,
        summary=dict.fromkeys(register.languages, "Ensimmäinen julkaisu."),
    )
    assert version.number == 1 and set(version.languages) == set(register.languages)

    again = backup.import_controller(draft_file, replace=True)
    assert again.pk == controller.pk
    assert not Register.objects.get(controller=again).versions.exists()
    assert languages.default() in Register.objects.get(controller=again).languages


def test_a_refused_file_raises_backup_error_and_creates_nothing(draft_file):
    draft_file["registers"][0]["purposes"][0]["name"]["fi"] = ""
    with pytest.raises(backup.BackupError) as refused:
        backup.import_controller(draft_file)
    assert refused.value.path == "registers[0].purposes[0].name.fi"
    assert not Controller.objects.exists()
