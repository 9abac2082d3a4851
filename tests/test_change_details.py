"""The change log says what changed: old → new for values, in the reader's language.

Snapshots are built from the conftest register and edited as plain data for the
cases; the published change log is checked through the real publishing service.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from notices.change_details import detailed_changes
from notices.changes import describe
from notices.models import LegalBasis, Register
from notices.snapshot import build_snapshot
from tests.conftest import Tenant
from tests.notices_factory import publish, without_weasyprint


@pytest.fixture
def snapshots(acme: Tenant) -> tuple[dict[str, Any], dict[str, Any]]:
    """The conftest register's snapshot and a copy of it to edit into the next version."""
    published = build_snapshot(acme.register)
    return published, copy.deepcopy(published)


def details(changes: list[dict[str, Any]], language: str) -> list[tuple[str, str, Any, Any]]:
    """Every change's (section, label, old, new) as a reader of ``language`` sees it."""
    seen = []
    with translation.override(language):
        for change in changes:
            described = describe(change, language)
            for detail in described["details"]:
                seen.append((described["section"], detail["label"], detail["old"], detail["new"]))
    return seen


def test_retention_period_reads_old_to_new_with_its_unit(snapshots):
    before, after = snapshots
    after["retention"][0]["period"] = 6
    changes = detailed_changes(before, after)
    assert details(changes, "en") == [("retention", "Period", "10 years", "6 years")]
    assert details(changes, "fi") == [("retention", "Pituus", "10 vuotta", "6 vuotta")]


def test_no_transfers_unticked_reads_as_transfers_listed(snapshots):
    before, after = snapshots
    before["register"]["no_transfers"] = True
    after["register"]["no_transfers"] = False
    changes = detailed_changes(before, after)
    (section, label, old, new) = details(changes, "en")[0]
    assert (section, old, new) == ("register", "no transfers", "transfers listed")
    assert details(changes, "fi")[0][2:] == ("ei siirtoja", "siirrot lueteltu")


def test_an_unanswered_question_reads_not_answered(snapshots):
    before, after = snapshots
    before["register"]["has_automated_decisions"] = None
    after["register"]["has_automated_decisions"] = False
    changes = detailed_changes(before, after)
    assert details(changes, "en")[0][2:] == ("not answered", "no")
    assert details(changes, "fi")[0][2:] == ("ei vastattu", "ei")


def test_legal_basis_replaced_names_both_bases(snapshots):
    before, after = snapshots
    contract = LegalBasis.objects.get(code="6-1-b")
    interest = LegalBasis.objects.get(code="6-1-f")
    after["purposes"][0]["legal_bases"] = [
        {
            "code": interest.code,
            "article": interest.article,
            "kind": interest.kind,
            "name": {"fi": interest.name_fi, "en": interest.name_en},
            "description": {"fi": interest.description_fi, "en": interest.description_en},
        }
    ]
    changes = detailed_changes(before, after)
    assert changes[0]["reason"] == "legal_basis_changed"
    (_section, _label, old, new) = details(changes, "en")[0]
    assert old == f"{contract.name_en} ({contract.article})"
    assert new == f"{interest.name_en} ({interest.article})"


def test_a_long_text_is_named_not_quoted(snapshots):
    before, after = snapshots
    after["purposes"][0]["description"] = {"fi": "Pitkä kuvaus. " * 20, "en": "Long text. " * 20}
    changes = detailed_changes(before, after)
    assert details(changes, "en") == [("purposes", "Description", None, None)]


def test_an_entry_stored_before_details_reads_as_before(snapshots):
    before, after = snapshots
    after["retention"][0]["period"] = 6
    (stored,) = detailed_changes(before, after)
    del stored["details"]
    with translation.override("en"):
        assert describe(stored, "en")["details"] == []


def test_published_change_log_says_old_and_new_in_each_language(
    register: Register, paula: User, acme: Tenant, monkeypatch
):
    without_weasyprint(monkeypatch)
    publish(register, paula)
    acme.retention.period = 6
    acme.retention.save()
    second = publish(register, paula)
    assert second.changes[0]["details"][0]["old"] == {"fi": "10 vuotta", "en": "10 years"}
    client = Client()
    for language, period in (
        ("fi", "Pituus: 10 vuotta → 6 vuotta"),
        ("en", "Period: 10 years → 6 years"),
    ):
        page = client.get(f"/{language}/acme/customers/").content.decode()
        assert period in page
        log = client.get(f"/{language}/acme/customers/versions/").content.decode()
        assert period in log
        document = json.loads(client.get(f"/{language}/acme/customers/notice.json").content)
        (change,) = document["changes"]["changes"]
        assert change["details"][0]["old"] == period.split(": ")[1].split(" → ")[0]
