"""The change list between two snapshots: what was added, removed or changed, and what is
substantive (new purpose, recipient, processor or transfer; changed legal basis; longer
retention).

Snapshots are built from the conftest register with ``build_snapshot`` and then edited
as plain data, so every case is exactly one change.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.utils import translation

from notices.changes import compute_changes, describe
from notices.models import LegalBasis
from notices.snapshot import build_snapshot
from tests.conftest import Tenant


@pytest.fixture
def before(acme: Tenant) -> dict[str, Any]:
    return build_snapshot(acme.register)


@pytest.fixture
def after(before: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(before)


def basis(code: str) -> dict[str, Any]:
    b = LegalBasis.objects.get(code=code)
    return {
        "code": b.code,
        "article": b.article,
        "kind": b.kind,
        "name": {"fi": b.name_fi, "en": b.name_en},
        "description": {"fi": b.description_fi, "en": b.description_en},
    }


def text(fi: str, en: str = "") -> dict[str, str]:
    return {"fi": fi, "en": en}


def summary(changes: list[dict[str, Any]]) -> list[tuple[str, str, bool, str | None]]:
    return [(c["section"], c["kind"], c["substantive"], c["reason"]) for c in changes]


def only(changes: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(changes) == 1, changes
    return changes[0]


def test_first_version_has_no_changes(before):
    assert compute_changes(None, before) == []


def test_identical_snapshots_have_no_changes(before, after):
    assert compute_changes(before, after) == []


def test_new_purpose_is_substantive(before, after):
    after["purposes"].append(
        {
            "id": 999_001,
            "name": text("Markkinointi", "Marketing"),
            "description": text(""),
            "legal_bases": [basis("6-1-a")],
            "legitimate_interest": text(""),
        }
    )
    change = only(compute_changes(before, after))
    assert summary([change]) == [("purposes", "added", True, "new_purpose")]
    assert change["name"] == {"fi": "Markkinointi", "en": "Marketing"}


def test_changed_legal_basis_is_substantive(before, after):
    after["purposes"][0]["legal_bases"] = [basis("6-1-f")]
    change = only(compute_changes(before, after))
    assert summary([change]) == [("purposes", "changed", True, "legal_basis_changed")]
    assert change["name"]["fi"] == "Acme asiakassuhde"


def test_added_legal_basis_is_substantive(before, after):
    after["purposes"][0]["legal_bases"].append(basis("6-1-c"))
    assert summary(compute_changes(before, after)) == [
        ("purposes", "changed", True, "legal_basis_changed")
    ]


def test_renamed_purpose_is_changed_not_substantive(before, after):
    after["purposes"][0]["name"] = text("Asiakkuus", "Customership")
    change = only(compute_changes(before, after))
    assert summary([change]) == [("purposes", "changed", False, None)]
    assert change["name"] == {"fi": "Asiakkuus", "en": "Customership"}


def test_removed_purpose_is_not_substantive(before, after):
    after["purposes"] = []
    assert summary(compute_changes(before, after)) == [("purposes", "removed", False, None)]


def test_same_id_matters_not_position(before, after):
    """A purpose with a new id is a removal and an addition, not a rename."""
    after["purposes"][0]["id"] = 999_002
    assert sorted(summary(compute_changes(before, after))) == [
        ("purposes", "added", True, "new_purpose"),
        ("purposes", "removed", False, None),
    ]


@pytest.mark.parametrize(
    ("section", "item", "reason"),
    [
        (
            "recipients",
            {
                "id": 999_003,
                "name": text("Perintätoimisto", "Debt collector"),
                "description": text(""),
                "is_regular_disclosure": True,
            },
            "new_recipient",
        ),
        (
            "processors",
            {
                "id": 999_004,
                "name": "Postipalvelu Oy",
                "service": text("Posti", "Mail"),
                "country": "FI",
                "website": "",
                "processes": text("Osoitteet", "Addresses"),
            },
            "new_processor",
        ),
        (
            "transfers",
            {
                "id": 999_005,
                "country": "JP",
                "processor": "",
                "recipient": text("Tokio Oy", "Tokyo Ltd"),
                "safeguard": "adequacy",
                "copy_info": text(""),
            },
            "new_transfer",
        ),
    ],
    ids=["recipient", "processor", "transfer"],
)
def test_additions_that_are_substantive(before, after, section, item, reason):
    after[section].append(item)
    change = only(compute_changes(before, after))
    assert summary([change]) == [(section, "added", True, reason)]


def test_transfer_name_shows_who_and_where(before, after):
    after["transfers"].append(
        {
            "id": 999_006,
            "country": "JP",
            "processor": "",
            "recipient": text("Tokio Oy", "Tokyo Ltd"),
            "safeguard": "adequacy",
            "copy_info": text(""),
        }
    )
    assert only(compute_changes(before, after))["name"] == {
        "fi": "Tokio Oy (JP)",
        "en": "Tokyo Ltd (JP)",
    }


@pytest.mark.parametrize(
    "section", ["data_categories", "sources", "subject_groups", "security", "cookies"]
)
def test_other_additions_are_not_substantive(before, after, section):
    item = copy.deepcopy(before[section][0])
    item["id"] = 999_007
    after[section].append(item)
    assert summary(compute_changes(before, after)) == [(section, "added", False, None)]


@pytest.mark.parametrize(
    "section", ["recipients", "processors", "transfers", "data_categories", "sources"]
)
def test_removals_are_not_substantive(before, after, section):
    after[section] = []
    assert summary(compute_changes(before, after)) == [(section, "removed", False, None)]


@pytest.mark.parametrize(
    ("period", "unit", "substantive"),
    [
        (12, "years", True),
        (130, "months", True),  # 3900 days > 3650 days
        (5, "years", False),
        (10, "years", None),  # same period, other wording: changed, not substantive
        (None, "", True),  # a fixed period replaced by criteria may be longer
    ],
    ids=["more-years", "more-in-months", "shorter", "same", "period-dropped"],
)
def test_retention_longer_is_substantive(before, after, period, unit, substantive):
    rule = after["retention"][0]
    assert (rule["period"], rule["period_unit"]) == (10, "years")
    rule["period"], rule["period_unit"] = period, unit
    if substantive is None:
        rule["criteria"] = text("Kirjanpitolaki", "Accounting Act")
    if period is None:
        rule["criteria"] = text("Kunnes asiakkuus päättyy", "Until the customership ends")
    change = only(compute_changes(before, after))
    expected_reason = "longer_retention" if substantive else None
    assert summary([change]) == [("retention", "changed", bool(substantive), expected_reason)]
    assert change["name"]["fi"] == "Acme yhteystiedot"


def test_retention_for_the_whole_register_is_named_so(before, after):
    after["retention"].append(
        {
            "id": 999_008,
            "data_category": None,
            "data_category_name": None,
            "period": 1,
            "period_unit": "years",
            "starting_event": text(""),
            "criteria": text(""),
        }
    )
    change = only(compute_changes(before, after))
    assert change["name"] == {"fi": "koko rekisteri", "en": "whole register"}
    assert (change["kind"], change["substantive"]) == ("added", False)


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "IN"), ("safeguard", "bcr")],
)
def test_transfer_to_other_country_or_safeguard_is_substantive(before, after, field, value):
    after["transfers"][0][field] = value
    assert summary(compute_changes(before, after)) == [
        ("transfers", "changed", True, "new_transfer")
    ]


def test_changed_copy_info_of_a_transfer_is_not_substantive(before, after):
    after["transfers"][0]["copy_info"] = text("Pyydä kopio", "Ask for a copy")
    assert summary(compute_changes(before, after)) == [("transfers", "changed", False, None)]


def test_processor_matched_by_processor_not_row(before, after):
    after["processors"][0]["processes"] = text("Kaikki tiedot", "All data")
    change = only(compute_changes(before, after))
    assert summary([change]) == [("processors", "changed", False, None)]
    assert change["name"] == {"fi": "Acme CRM", "en": "Acme CRM"}


def test_rights_matched_by_code(before, after):
    access = next(r for r in after["rights"] if r["code"] == "access")
    access["text"] = text("Oma sanamuoto", "Own wording")
    after["rights"] = [r for r in after["rights"] if r["code"] != "portability"]
    assert sorted(summary(compute_changes(before, after))) == [
        ("rights", "changed", False, None),
        ("rights", "removed", False, None),
    ]


def test_controller_change(before, after):
    after["controller"]["email"] = "new@acme.example"
    change = only(compute_changes(before, after))
    assert summary([change]) == [("controller", "changed", False, None)]
    assert change["name"] == {"fi": "Acme", "en": "Acme"}


def test_contact_person_changed_and_removed(before, after):
    after["contact_person"] = {**after["contact_person"], "email": "other@acme.example"}
    assert summary(compute_changes(before, after)) == [("contact_person", "changed", False, None)]
    gone = copy.deepcopy(before)
    gone["contact_person"] = None
    change = only(compute_changes(before, gone))
    assert (change["section"], change["kind"]) == ("contact_person", "removed")
    assert change["name"]["fi"] == "Acme Contact"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rights_exercise", text("Soita meille.", "Call us.")),
        ("data_origin", "both"),
        ("has_automated_decisions", True),
    ],
)
def test_register_level_changes_are_listed(before, after, field, value):
    """What the register itself says is content too: a change there is not "no changes".

    The admin's publish page says "No changes in content since the previous version"
    when this list is empty, and the change log shows nothing for the version.
    """
    after["register"][field] = value
    changes = compute_changes(before, after)
    assert changes, f"changing register.{field} gives an empty change list"
    assert all(c["kind"] == "changed" for c in changes)


def test_several_changes_at_once(before, after):
    after["purposes"][0]["legal_bases"] = [basis("6-1-c")]
    after["recipients"] = []
    after["retention"][0]["period"] = 20
    after["data_categories"][0]["name"] = text("Yhteystiedot", "Contact details")
    changes = compute_changes(before, after)
    assert sorted(summary(changes)) == [
        ("data_categories", "changed", False, None),
        ("purposes", "changed", True, "legal_basis_changed"),
        ("recipients", "removed", False, None),
        ("retention", "changed", True, "longer_retention"),
    ]


def test_changes_are_json_ready(before, after):
    after["purposes"][0]["legal_bases"] = [basis("6-1-c")]
    changes = compute_changes(before, after)
    assert json.loads(json.dumps(changes)) == changes


def test_describe_labels_in_english(before, after):
    after["purposes"][0]["legal_bases"] = [basis("6-1-c")]
    change = only(compute_changes(before, after))
    with translation.override("en"):
        described = describe(change, "en")
    assert described["section_label"] == "Purposes and legal bases"
    assert described["kind_label"] == "changed"
    assert described["reason_label"] == "legal basis changed"
    # The conftest purpose has no English name (a register published only in Finnish):
    # the admin's publish page, shown in English, must still name the item.
    assert described["name"] == "Acme asiakassuhde"


def test_describe_in_finnish_uses_finnish_names_and_labels(before, after):
    after["purposes"][0]["name"] = text("Asiakkuus", "Customership")
    change = only(compute_changes(before, after))
    with translation.override("fi"):
        described = describe(change, "fi")
        expected_section = str(translation.gettext("Purposes and legal bases"))
    assert described["name"] == "Asiakkuus"
    assert described["section_label"] == expected_section
    assert described["reason_label"] == ""
