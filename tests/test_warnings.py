"""Contradictions are warnings, not refusals: the publisher may publish after acknowledging them.

Issue 9 point 3. A processor or cookie provider outside the EU/EEA (or of unknown
location) beside the editor's "no transfers" answer, a statistics or marketing
cookie without consent, a right listed that cannot apply: the publish page says
why, links to the field to fix, and publishes once each warning is ticked; the
version records what was acknowledged, by whom and when. Missing required
information stays a refusal.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from notices import services
from notices.chain import verify_record
from notices.completeness import check_completeness, check_warnings
from notices.models import Cookie, LegalBasis, NoticeVersion, Processor, Register
from notices.snapshot import build_snapshot
from tests.conftest import Tenant, login
from tests.notices_factory import publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)


def publish_url(register: Register) -> str:
    return reverse("admin:notices_register_publish", args=[register.pk])


SUMMARIES = {"summary_fi": "Julkaisu.", "summary_en": "Publication."}


def answer_no_transfers(tenant: Tenant) -> None:
    """The editor answers "no transfers" although the processor is in the United States."""
    tenant.register.transfers.all().delete()
    tenant.register.no_transfers = True
    tenant.register.save()


def keys(register: Register) -> list[str]:
    with translation.override("en"):
        return [w.key for w in check_warnings(build_snapshot(register))]


def test_processor_outside_eea_beside_no_transfers_is_a_warning_not_a_refusal(
    register: Register, acme: Tenant
):
    answer_no_transfers(acme)
    snapshot = build_snapshot(register)
    assert check_completeness(snapshot) == []
    with translation.override("en"):
        (warning,) = check_warnings(snapshot)
    assert warning.key == f"processor_location:{acme.processor.pk}"
    assert "no personal data is transferred outside the EU/EEA" in warning.message
    assert "“Acme CRM” is in United States of America" in warning.message
    assert warning.where == "processor" and warning.object_id == acme.processor.pk


def test_processor_of_unknown_location_beside_no_transfers_is_a_warning(
    register: Register, acme: Tenant
):
    answer_no_transfers(acme)
    Processor.objects.filter(pk=acme.processor.pk).update(country="")
    with translation.override("en"):
        (warning,) = check_warnings(build_snapshot(register))
    assert "“Acme CRM” has no country" in warning.message


def test_processor_in_the_eea_beside_no_transfers_gives_no_warning(
    register: Register, acme: Tenant
):
    answer_no_transfers(acme)
    Processor.objects.filter(pk=acme.processor.pk).update(country="SE")
    assert keys(register) == []


def test_a_transfer_listed_for_the_processor_is_no_contradiction(register: Register):
    # The conftest register lists the transfer to the United States and its safeguard.
    assert register.no_transfers is not True
    assert keys(register) == []


@pytest.mark.parametrize(
    ("provider", "country", "warned"),
    [
        ("Acme", "", False),  # the controller's own cookie: no transfer
        ("Analytics Inc.", "US", True),
        ("Analytics Inc.", "", True),  # location unknown
        ("Analytics AB", "SE", False),
        ("Acme CRM", "", True),  # named like the register's processor, in the United States
    ],
)
def test_cookie_provider_outside_eea_or_unknown_beside_no_transfers(
    register: Register, acme: Tenant, provider: str, country: str, warned: bool
):
    answer_no_transfers(acme)
    Cookie.objects.filter(pk=acme.cookie.pk).update(provider=provider, provider_country=country)
    expected = [f"cookie_location:{acme.cookie.pk}"] if warned else []
    assert [key for key in keys(register) if key.startswith("cookie_")] == expected


@pytest.mark.parametrize("category", ["statistics", "marketing"])
def test_statistics_or_marketing_cookie_without_consent_is_a_warning(
    register: Register, acme: Tenant, category: str
):
    # Written past the model's own check, as an older row or an import may hold it.
    Cookie.objects.filter(pk=acme.cookie.pk).update(category=category, consent_required=False)
    with translation.override("en"):
        (warning,) = check_warnings(build_snapshot(register))
    assert warning.key == f"cookie_consent:{acme.cookie.pk}"
    assert "section 205" in warning.message
    Cookie.objects.filter(pk=acme.cookie.pk).update(consent_required=True)
    assert keys(register) == []


def test_publish_page_shows_warnings_with_links_and_needs_each_ticked(
    register: Register, acme: Tenant, paula: User, media
):
    answer_no_transfers(acme)
    Cookie.objects.filter(pk=acme.cookie.pk).update(category="statistics", consent_required=False)
    client = login(paula)
    page = client.get(publish_url(register))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The notice cannot be published yet" not in html
    assert html.count('name="acknowledge"') == 2
    processor_url = reverse("admin:notices_processor_change", args=[acme.processor.pk])
    assert f'href="{processor_url}"' in html
    cookies_step = reverse("admin:notices_register_step", args=[register.pk, "cookies"])
    assert f'href="{cookies_step}"' in html

    # One box left unticked: nothing is published, the page says why.
    response = client.post(
        publish_url(register),
        {**SUMMARIES, "acknowledge": [f"processor_location:{acme.processor.pk}"]},
    )
    assert response.status_code == 200
    assert "Tick each warning" in response.content.decode()
    assert not NoticeVersion.objects.exists()

    response = client.post(
        publish_url(register),
        {
            **SUMMARIES,
            "acknowledge": [
                f"processor_location:{acme.processor.pk}",
                f"cookie_consent:{acme.cookie.pk}",
            ],
        },
    )
    assert response.status_code == 302
    version = NoticeVersion.objects.get(register=register)
    recorded = {entry["code"]: entry for entry in version.acknowledged_warnings}
    assert set(recorded) == {
        f"processor_location:{acme.processor.pk}",
        f"cookie_consent:{acme.cookie.pk}",
    }
    entry = recorded[f"cookie_consent:{acme.cookie.pk}"]
    assert entry["user"] == "paula"
    assert entry["language"] == "en"
    assert "section 205" in entry["text"]
    assert entry["at"].startswith(str(version.published_at.date()))
    # The version as published is what the company said: no transfer statement invented.
    page = client.get("/en/acme/customers/")
    assert "Personal data is not transferred outside the EU or the EEA." in page.content.decode()


def test_acknowledgement_is_recorded_in_the_publishers_language(
    register: Register, acme: Tenant, paula: User, media
):
    answer_no_transfers(acme)
    client = login(paula, "fi")
    response = client.post(
        publish_url(register),
        {**SUMMARIES, "acknowledge": [f"processor_location:{acme.processor.pk}"]},
    )
    assert response.status_code == 302
    (entry,) = NoticeVersion.objects.get(register=register).acknowledged_warnings
    assert entry["language"] == "fi"
    assert "ettei henkilötietoja siirretä EU:n tai ETA:n ulkopuolelle" in entry["text"]


def test_a_warning_appearing_after_the_page_was_shown_is_not_acknowledged(
    register: Register, acme: Tenant, paula: User, media
):
    """The service checks again: a warning nobody saw stops publishing."""
    answer_no_transfers(acme)
    with pytest.raises(services.PublishRefused) as refused:
        publish(register, paula, acknowledged=("cookie_consent:1",))
    assert "Acknowledge the warning" in str(refused.value)
    assert not NoticeVersion.objects.exists()


def test_missing_information_stays_a_refusal_whatever_is_acknowledged(
    register: Register, acme: Tenant, paula: User, media
):
    answer_no_transfers(acme)
    register.rights_exercise_en = ""
    register.save()
    with pytest.raises(services.PublishRefused) as refused:
        publish(register, paula, acknowledged=tuple(keys(register)))
    assert "Say how a person can use the rights." in str(refused.value)


def test_acknowledged_warnings_leave_the_signed_record_intact(
    register: Register, acme: Tenant, paula: User, media
):
    answer_no_transfers(acme)
    version = publish(register, paula, acknowledged=tuple(keys(register)))
    assert version.acknowledged_warnings
    assert verify_record(version) == []
    assert "acknowledged" not in str(version.record)


def test_a_right_listed_that_cannot_apply_is_a_warning(register: Register, acme: Tenant):
    acme.purpose.legal_bases.set([LegalBasis.objects.get(code="6-1-c")])
    # Portability was listed by default for the contract; now it rests on a legal obligation.
    assert check_completeness(build_snapshot(register)) == []
    with translation.override("en"):
        (warning,) = check_warnings(build_snapshot(register))
    assert warning.key == "right_cannot_apply:portability"
    assert "no purpose rests on consent or a contract (Art. 20(1))" in warning.message
    assert warning.anchor == "rights-group"


def test_other_companys_publisher_cannot_open_the_publish_page(
    register: Register, acme: Tenant, bob: User
):
    answer_no_transfers(acme)
    assert login(bob).get(publish_url(register)).status_code == 404
