"""The notice's own free texts, translatable names and its history before this service
(issue 9, points 6, 7 and 9), entered through the admin as alice (editor of Acme)
and read back from the published page, the PDF, notice.json and the change log.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from controllers.countries import country_code
from controllers.models import ContactPerson, Controller
from notices import changes, parts, snapshot
from notices.backup import earlier_shapes
from notices.completeness import check_completeness
from notices.models import EarlierChange, Processor, Register, SectionLead
from tests.conftest import Tenant
from tests.notices_factory import pdf_text, publish
from tests.test_validation import assert_error, assert_saved, register_page, register_state, submit

LEAD_FI = "Käytämme seuraavia alihankkijoita taloushallinnossa ja IT:ssä."
LEAD_EN = "We use the following subcontractors in financial administration and IT."
POLICY_FI = "Päivitämme selostetta lainsäädännön muuttuessa."
POLICY_EN = "We update this notice when the law changes."
EARLIER_FI = "Rekisteriselostetta täydennettiin evästeillä."
EARLIER_EN = "Cookies were added to the notice."
FIRST = date(2018, 5, 25)


def enter_texts(client: Client, register: Register) -> None:
    """What a company whose notice predates the service types on the register's page."""
    response = submit(
        client,
        register_page(register),
        {
            "changes_policy_fi": POLICY_FI,
            "changes_policy_en": POLICY_EN,
            "first_published_on": FIRST.isoformat(),
        },
        new_rows={
            "coverage": [
                {"order": "1", "name_fi": "laskutustiedot", "name_en": "billing data"},
                {"order": "2", "name_fi": "webhotellin käyttäjät", "name_en": "hosting users"},
            ],
            "section_leads": [
                {"section": "processors", "text_fi": LEAD_FI, "text_en": LEAD_EN},
            ],
            "earlier_changes": [
                {"date": "2020-03-01", "text_fi": EARLIER_FI, "text_en": EARLIER_EN},
            ],
        },
    )
    assert_saved(response)


def set_up_names(tenant: Tenant) -> None:
    """A processor with a proper name (default language only), a translated contact name."""
    tenant.processor.name_fi = "Laskutuskumppani Oy"
    tenant.processor.name_en = None
    tenant.processor.save()
    tenant.contact.name_fi = "Asiakaspalvelu"
    tenant.contact.name_en = "Customer service"
    tenant.contact.postal_address = "PL 123\n00100 Helsinki"
    tenant.contact.save()


@pytest.fixture
def published(register: Register, acme: Tenant, alice_client: Client, paula):  # type: ignore[no-untyped-def]
    set_up_names(acme)
    enter_texts(alice_client, register)
    return publish(register, paula)


def page_of(version, language: str) -> str:  # type: ignore[no-untyped-def]
    return version.renderings.get(language=language).html


# --- Point 6: free texts --------------------------------------------------------------------


@pytest.mark.django_db
def test_free_texts_are_shown_on_the_page_in_each_language(published):
    finnish, english = page_of(published, "fi"), page_of(published, "en")
    assert LEAD_FI in finnish and LEAD_EN in english
    assert LEAD_EN not in finnish
    # The lead opens its own section, right after the heading.
    section = english.split('<section id="processors"')[1].split("</section>")[0]
    assert section.index("</h2>") < section.index(LEAD_EN) < section.index("<table>")
    assert POLICY_FI in finnish and POLICY_EN in english
    assert "The register covers:" in english
    assert "<li>billing data</li>" in english and "<li>laskutustiedot</li>" in finnish
    assert "PL 123<br>00100 Helsinki" in english


@pytest.mark.django_db
def test_free_texts_are_in_the_pdf(published):
    with published.renderings.get(language="en").pdf.open("rb") as stored:
        text = pdf_text(stored.read())
    for expected in (LEAD_EN, POLICY_EN, "billing data", "hosting users", "PL 123"):
        assert expected in text, expected


@pytest.mark.django_db
def test_free_texts_are_in_notice_json(published):
    document = json.loads(published.renderings.get(language="en").json)
    leads = {lead["section"]: lead["text"] for lead in document["section_leads"]}
    assert leads["processors"] == LEAD_EN
    assert [item["name"] for item in document["coverage"]][-2:] == ["billing data", "hosting users"]
    assert document["register"]["changes_policy"] == POLICY_EN
    assert document["contact_person"]["postal_address"] == "PL 123\n00100 Helsinki"
    assert document["register"]["first_published_on"] == "2018-05-25"


@pytest.mark.django_db
def test_the_embed_shows_the_lead(published):
    assert LEAD_EN in published.renderings.get(language="en").embed_html


@pytest.mark.django_db
def test_a_changed_lead_is_in_the_next_change_list(published, register: Register, paula):
    lead = SectionLead.objects.get(register=register, section="processors")
    lead.text_en = "Our subcontractors."
    lead.save()
    version = publish(register, paula)
    change = version.changes[0]
    assert (change["section"], change["kind"]) == ("section_leads", "changed")
    assert change["name"] == {"fi": "Henkilötietojen käsittelijät", "en": "Processors"}


def test_every_section_of_the_notice_can_have_a_lead():
    keys = [key for key, _label in parts.lead_section_choices()]
    expected = [s.key for s in parts.SECTIONS] + [p.key for p in parts.PARTS if p.has_lead]
    assert keys == expected
    assert "processors" in keys and "section_leads" not in keys
    # The model's choices are read from the registry when asked, not copied.
    assert [key for key, _label in SectionLead._meta.get_field("section").choices] == keys


@pytest.mark.django_db
def test_a_section_has_one_lead(alice_client: Client, register: Register):
    before = register_state(register)
    lead = {"section": "purposes", "text_fi": "Yksi"}
    response = submit(
        alice_client,
        register_page(register),
        new_rows={"section_leads": [lead, {**lead, "text_fi": "Kaksi"}]},
    )
    assert response.status_code == 200
    assert "Please correct the duplicate data for section" in response.content.decode()
    assert register_state(register) == before


# --- Point 7: translatable names, the controller's country -----------------------------------


@pytest.mark.django_db
def test_a_proper_name_given_once_is_used_in_every_language(published):
    english = page_of(published, "en")
    assert '<th scope="row">Laskutuskumppani Oy</th>' in english
    assert "Customer service" in english and "Asiakaspalvelu" not in english
    assert "Asiakaspalvelu" in page_of(published, "fi")


@pytest.mark.django_db
def test_a_name_translated_into_some_languages_only_is_incomplete(register: Register, acme):
    acme.processor.name_fi, acme.processor.name_sv = "Tilitoimisto", "Bokföringsbyrå"
    acme.processor.name_en = None
    acme.processor.save()
    with translation.override("en"):
        problems = [str(p) for p in check_completeness(snapshot.build_snapshot(register))]
    assert problems == [
        "Processors: “Tilitoimisto” has no name in this language.",
        "Transfers outside the EU/EEA: the processor is missing in this language.",
    ]
    acme.processor.name_en = "Accounting firm"
    acme.processor.save()
    assert check_completeness(snapshot.build_snapshot(register)) == []


@pytest.mark.django_db
def test_an_editor_translates_a_processor_and_a_contact_person(alice_client: Client, acme):
    from tests.test_isolation import url

    response = submit(
        alice_client,
        url(Processor, "change", acme.processor.pk),
        {"name_fi": "Kirjanpitäjä", "name_en": "Bookkeeper", "service_en": "Accounting"},
    )
    assert_saved(response)
    response = submit(
        alice_client,
        url(ContactPerson, "change", acme.contact.pk),
        {
            "name_fi": "Tietosuojapiste",
            "name_en": "Data protection desk",
            "postal_address": "PL 1, 00100 Helsinki",
        },
    )
    assert_saved(response)
    acme.processor.refresh_from_db()
    acme.contact.refresh_from_db()
    assert (acme.processor.name_fi, acme.processor.name_en) == ("Kirjanpitäjä", "Bookkeeper")
    assert acme.contact.name_en == "Data protection desk"
    assert acme.contact.postal_address == "PL 1, 00100 Helsinki"


@pytest.mark.django_db
def test_the_controllers_country_is_named_in_the_notices_language(published):
    assert re.search(r"Helsinki, Finland\s*<br>", page_of(published, "en"))
    assert re.search(r"Helsinki, Suomi\s*<br>", page_of(published, "fi"))
    document = json.loads(published.renderings.get(language="en").json)
    assert document["controller"]["country"] == "FI"


@pytest.mark.django_db
def test_the_controllers_country_is_chosen_from_the_list(alice_client: Client, acme):
    from tests.test_validation import controller_page

    # A member cannot change the controller's page (members_can_add/delete are off,
    # change is allowed): the country is a code, nothing is typed.
    response = submit(alice_client, controller_page(acme.controller), {"country": "SE"})
    assert_saved(response)
    assert Controller.objects.get(pk=acme.controller.pk).country.code == "SE"
    response = submit(alice_client, controller_page(acme.controller), {"country": "Ruotsi"})
    assert response.status_code == 200
    assert Controller.objects.get(pk=acme.controller.pk).country.code == "SE"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Suomi / Finland", "FI"),
        ("Finland", "FI"),
        ("Suomi", "FI"),
        ("suomi", "FI"),
        ("Sverige", "SE"),
        ("Ruotsi", "SE"),
        ("FI", "FI"),
        ("Suomi / Sverige", ""),  # two countries: not guessed
        ("Neverland", ""),
        ("", ""),
    ],
)
def test_a_country_written_as_text_is_read_as_a_code(written: str, code: str):
    assert country_code(written) == code


# --- Point 9: history before the service ----------------------------------------------------


@pytest.mark.django_db
def test_created_shows_the_first_publication_before_the_service(published):
    assert 'datetime="2018-05-25">25.5.2018</time>' in page_of(published, "fi")
    assert 'datetime="2018-05-25">25 May 2018</time>' in page_of(published, "en")
    with published.renderings.get(language="fi").pdf.open("rb") as stored:
        assert "25.5.2018" in pdf_text(stored.read())


@pytest.mark.django_db
def test_the_change_log_lists_the_earlier_changes_marked_as_before_the_service(
    published, register: Register
):
    client = Client()
    page = client.get("/en/acme/customers/versions/").content.decode()
    earlier = page.split('class="earlier-changes"')[1]
    assert "Before this service" in earlier
    assert EARLIER_EN in earlier and "1 March 2020" in earlier
    assert "before this service" in earlier and "first published" in earlier
    # The versions of the service come first, newest first; the earlier history after them.
    assert page.index("version 1") < page.index(EARLIER_EN)
    finnish = client.get("/fi/acme/customers/versions/").content.decode()
    assert EARLIER_FI in finnish and "1.3.2020" in finnish
    document = json.loads(register.changelogs.get(language="en").json)
    assert document["first_published_on"] == "2018-05-25"
    assert document["earlier_changes"] == [
        {"date": "2020-03-01", "text": EARLIER_EN, "before_service": True},
        {"date": "2019-01-01", "text": "Acme earlier change", "before_service": True},
    ]


@pytest.mark.django_db
def test_the_first_publication_cannot_be_in_the_future(alice_client: Client, register):
    before = register_state(register)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = submit(
        alice_client, register_page(register), {"first_published_on": tomorrow.isoformat()}
    )
    assert_error(response, "first_published_on", "The first publication cannot be in the future.")
    assert register_state(register) == before


@pytest.mark.django_db
def test_the_first_publication_cannot_be_after_the_services_first(
    alice_client: Client, register, paula
):
    publish(register, paula, published_at=timezone.now() - timedelta(days=10))
    before = register_state(register)
    five_days_ago = timezone.localdate() - timedelta(days=5)
    response = submit(
        alice_client, register_page(register), {"first_published_on": five_days_ago.isoformat()}
    )
    assert response.status_code == 200
    assert "it cannot have been first published later" in response.content.decode()
    assert register_state(register) == before


@pytest.mark.django_db
def test_an_earlier_change_is_dated_before_the_service(alice_client: Client, published, register):
    before = register_state(register)
    today = timezone.localdate().isoformat()
    response = submit(
        alice_client,
        register_page(register),
        new_rows={"earlier_changes": [{"date": today, "text_fi": "Myöhemmin"}]},
    )
    assert response.status_code == 200
    assert "a change before this service must be dated earlier" in response.content.decode()
    assert register_state(register) == before
    response = submit(
        alice_client,
        register_page(register),
        new_rows={"earlier_changes": [{"date": "2017-01-01", "text_fi": "Ennen"}]},
    )
    assert "a change cannot be dated before that" in response.content.decode()
    assert register_state(register) == before
    assert EarlierChange.objects.filter(register=register).count() == 2  # the fixture's, ours


# --- Snapshots and backups written before -----------------------------------------------------


@pytest.mark.django_db
def test_a_snapshot_stored_before_the_free_texts_compares_without_false_changes(register, acme):
    current = snapshot.build_snapshot(register)
    # A register without the new parts: an old snapshot has none of them either.
    for key in ("coverage", "section_leads", "earlier_changes"):
        current[key] = []
    old = json.loads(json.dumps(current))
    for key in ("coverage", "section_leads", "earlier_changes"):
        del old[key]
    for key in ("changes_policy", "first_published_on"):
        del old["register"][key]
    del old["contact_person"]["postal_address"]
    old["controller"]["country"] = {"fi": "Suomi", "en": "Finland"}
    old["contact_person"]["name"] = acme.contact.name_fi
    old["processors"][0]["name"] = acme.processor.name_fi
    old["transfers"][0]["processor"] = acme.processor.name_fi
    assert changes.compute_changes(old, current) == []


def test_a_backup_written_before_reads_in_todays_shape():
    data = {
        "controller": {"country": {"fi": "Suomi", "sv": None, "en": "Finland"}},
        "contact_persons": [{"name": "Aino"}],
        "processors": [{"name": "Posti Oy"}],
        "registers": [{"slug": "asiakkaat"}],
    }
    upgraded = earlier_shapes.upgrade(data)
    assert upgraded["controller"]["country"] == "FI"
    assert upgraded["contact_persons"] == [{"name": {"fi": "Aino"}}]
    assert upgraded["processors"] == [{"name": {"fi": "Posti Oy"}}]
    assert upgraded["registers"][0]["earlier_changes"] == []
    assert earlier_shapes.upgrade(upgraded) == upgraded  # today's shape is left as it is
    with pytest.raises(Exception, match="Neverland"):
        earlier_shapes.upgrade({"controller": {"country": {"fi": "Neverland"}}})


@pytest.mark.django_db
def test_an_earlier_change_may_give_its_date_only(alice_client: Client, register: Register, paula):
    """ "Viimeisin muutos 10.7.2023": the date alone, shown on every form without a text."""
    response = submit(
        alice_client,
        register_page(register),
        new_rows={"earlier_changes": [{"date": "2023-07-10"}]},
    )
    assert_saved(response)
    change = EarlierChange.objects.get(register=register, date=date(2023, 7, 10))
    assert (change.text_fi or "") == "" and (change.text_en or "") == ""
    version = publish(register, paula)
    client = Client()
    changelog = client.get("/fi/acme/customers/versions/").content.decode()
    entry = changelog.split('datetime="2023-07-10">10.7.2023</time>')[1].split("</li>")[0]
    assert "<p>" not in entry  # no empty paragraph where the text would be
    # The notice's page and PDF list the changes before this service in their "Changes".
    for language, shown in (("fi", "10.7.2023"), ("en", "10 July 2023")):
        page = page_of(version, language)
        section = page.split('<section id="changes"')[1].split("</section>")[0]
        assert f'datetime="2023-07-10">{shown}</time></li>' in section
        assert "<p></p>" not in section
        with version.renderings.get(language=language).pdf.open("rb") as stored:
            assert shown in pdf_text(stored.read())
    document = json.loads(version.renderings.get(language="en").json)
    assert {"id": change.pk, "date": "2023-07-10", "text": ""} in document["earlier_changes"]
    changes_json = json.loads(register.changelogs.get(language="fi").json)
    assert {"date": "2023-07-10", "text": "", "before_service": True} in changes_json[
        "earlier_changes"
    ]
    # A change with neither date nor text is still refused.
    response = submit(
        alice_client, register_page(register), new_rows={"earlier_changes": [{"text_fi": "X"}]}
    )
    assert response.status_code == 200
