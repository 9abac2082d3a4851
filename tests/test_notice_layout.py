"""The published notice reads as a document: numbered sections in the customary order on
the page, in the embed, in the JSON and in the PDF (with a contents list giving pages),
and text without doubled punctuation, duplicate headings or bare link text.

Published for real (WeasyPrint included); the PDF is read back with pypdf.
"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader

from notices import languages
from notices.models import Cookie, NoticeVersion, Processor, Register, SecurityMeasure
from notices.parts import NOTICE_SECTIONS
from notices.templatetags.notice_tags import full_stop
from tests.conftest import Tenant
from tests.notices_factory import pdf_text, publish

HEADINGS = {
    "en": [
        "Controller",
        "Contact person",
        "Register",
        "Purposes and legal bases",
        "Personal data",
        "Sources",
        "Recipients and disclosures",
        "Processors",
        "Transfers outside the EU/EEA",
        "Retention",
        "Security",
        "Automated decision-making",
        "Your rights",
        "Complaints",
        "Changes",
    ],
    "fi": [
        "Rekisterinpitäjä",
        "Yhteyshenkilö",
        "Rekisteri",
        "Käsittelyn tarkoitukset ja oikeusperusteet",
        "Henkilötiedot",
        "Tietolähteet",
        "Vastaanottajat ja luovutukset",
        "Henkilötietojen käsittelijät",
        "Siirrot EU:n tai ETA:n ulkopuolelle",
        "Säilytysaika",
        "Suojaus",
        "Automaattinen päätöksenteko",
        "Sinun oikeutesi",
        "Valitus valvontaviranomaiselle",
        "Muutokset",
    ],
}
NUMBERED = re.compile(r'<h2><span class="section-number">(\d+)\.</span> ([^<]+)</h2>')


@pytest.fixture
def plain(register: Register, acme: Tenant) -> Register:
    """The complete notice without cookies, with the texts the quality fixes are about."""
    Cookie.objects.filter(register=register).delete()
    # Every language named: a plain `name` would be the active language's column only.
    Processor.objects.filter(pk=acme.processor.pk).update(
        **{f"name_{lang}": "Pipeline CRM Inc." for lang in languages.codes()}
    )
    SecurityMeasure.objects.create(
        register=register,
        kind="electronic",
        order=5,
        description_fi="Varmuuskopiot salataan.",
        description_en="Backups are encrypted.",
    )
    acme.retention.period, acme.retention.period_unit = None, ""
    acme.retention.criteria_fi = "Niin kauan kuin asiakkuus kestää."
    acme.retention.criteria_en = "As long as the customer relationship lasts."
    acme.retention.save()
    return register


@pytest.fixture
def version(plain: Register, paula: User) -> NoticeVersion:
    return publish(plain, paula)


def stored_pdf(version: NoticeVersion, language: str) -> str:
    rendering = version.renderings.get(language=language)
    with default_storage.open(rendering.pdf.name, "rb") as stored:
        return pdf_text(stored.read())


@pytest.mark.parametrize("language", ["fi", "en"])
def test_sections_are_numbered_in_order_on_page_embed_json_and_pdf(
    version: NoticeVersion, language: str
):
    client = Client()
    root = f"/{language}/acme/customers/"
    expected = [(str(n), h) for n, h in enumerate(HEADINGS[language], start=1)]
    page = client.get(root).content.decode()
    embed = client.get(f"{root}embed/").content.decode()
    # No cookies: the cookie section takes no number, the next ones follow on without a gap.
    assert NUMBERED.findall(page) == expected
    assert NUMBERED.findall(embed) == expected
    toc = page.split('class="toc"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="#controller"><span class="section-number">1.</span>' in toc
    assert '<a href="#changes"><span class="section-number">15.</span>' in toc

    document = json.loads(client.get(f"{root}notice.json").content)
    assert [(str(s["number"]), s["heading"]) for s in document["sections"]] == expected
    assert document["sections"][1]["anchor"] == "contact"

    text = stored_pdf(version, language)
    contents = {"fi": "Sisällys", "en": "Contents"}[language]
    listed = text.split(contents, 1)[1]
    # The contents list: every section with the page it starts on, then the sections.
    for number, heading in expected:
        assert re.search(rf"{number}\. {re.escape(heading)}[ .]*\d+ ", listed), heading
    pages = [int(p) for p in re.findall(r"\. [^.\d]+ (\d+) (?=\d+\. )", listed)[:14]]
    assert pages == sorted(pages) and pages[0] >= 1


def test_no_pdf_page_is_drawn_with_thousands_of_paths(version: NoticeVersion):
    """The contents list's rules are solid lines: WeasyPrint draws each dot or dash of a
    dotted or dashed border as a path of its own (a 2.3 MB contents page and a quarter
    of the PDF's rendering time on the largest demo notice; 120 KB here with dashes).
    Every page here is text and a few rules: some tens of kilobytes of drawing."""
    for rendering in version.renderings.all():
        with default_storage.open(rendering.pdf.name, "rb") as stored:
            reader = PdfReader(stored)
            drawn = [len(page.get_contents().get_data()) for page in reader.pages]
        assert max(drawn) < 60_000, (rendering.language, drawn)


def test_cookies_take_a_number_where_the_notice_has_them(register: Register, paula: User):
    version = publish(register, paula)
    html = version.renderings.get(language="en").html
    headings = NUMBERED.findall(html)
    assert ("12", "Cookies") in headings
    assert headings[-1] == ("16", "Changes")


def test_every_section_of_the_template_is_in_the_layout(version: NoticeVersion):
    html = version.renderings.get(language="en").html
    anchors = re.findall(r'<section id="(\w+)" class="section">', html)
    assert anchors == [s.anchor for s in NOTICE_SECTIONS if s.anchor != "cookies"]


@pytest.mark.parametrize("language", ["fi", "en"])
def test_no_doubled_full_stop_after_a_name_ending_in_one(version: NoticeVersion, language: str):
    html = version.renderings.get(language=language).html
    text = stored_pdf(version, language)
    assert "Pipeline CRM Inc.." not in html
    assert "Pipeline CRM Inc.." not in text
    assert "Pipeline CRM Inc." in text


def test_full_stop_is_added_only_where_a_sentence_is_open():
    assert full_stop("Pipeline CRM Inc.") == "Pipeline CRM Inc."
    assert full_stop("Acme CRM") == "Acme CRM."
    assert full_stop("Really?") == "Really?"
    assert full_stop("") == ""


@pytest.mark.parametrize("language", ["fi", "en"])
def test_security_measures_of_one_kind_share_one_heading(version: NoticeVersion, language: str):
    html = version.renderings.get(language=language).html
    security = html.split('id="security"', 1)[1].split("</section>", 1)[0]
    with translation.override(language):
        heading = str(SecurityMeasure.Kind.ELECTRONIC.label).capitalize()
    assert security.count(f"<h3>{heading}</h3>") == 1
    assert "Acme" in security and {"fi": "Varmuuskopiot", "en": "Backups"}[language] in security
    assert stored_pdf(version, language).count(heading) == 1


def test_in_brief_lists_are_lists_and_no_item_is_only_a_link(version: NoticeVersion):
    html = version.renderings.get(language="en").html
    brief = html.split('class="in-brief"', 1)[1].split("</section>", 1)[0]
    assert "<li>Acme contact details</li>" in brief
    assert "<li>Acme recipient</li>" in brief
    assert "<li>Right of access</li>" in brief
    # No period is given: the "how long" item would be only a link, so it is left out.
    assert "How long" not in brief
    text = stored_pdf(version, "en")
    assert "How long each kind of data is kept" not in text
    # A link in the PDF names the section it leads to.
    assert "How to use them (section 13)" in text
    assert "Näin käytät niitä (kohta 13)" in stored_pdf(version, "fi")


def test_the_pdf_lays_out_no_multi_column_box(plain: Register, monkeypatch):
    """The screen's two-column contents list is one column in the PDF, and no
    multi-column box at all: WeasyPrint lays one out again and again to balance it
    (with ``columns: 1`` the largest demo notice's PDF took 1.05 s instead of 0.66 s)."""
    from weasyprint.layout import block

    from notices import pdf, rendering
    from notices.snapshot import build_snapshot

    laid_out = []
    real = block.columns_layout
    monkeypatch.setattr(
        block, "columns_layout", lambda *args, **kwargs: laid_out.append(1) or real(*args, **kwargs)
    )
    snapshot = build_snapshot(plain)
    now = timezone.now()
    info = rendering.VersionInfo(number=1, published_at=now, first_published_at=now)
    html = rendering.pdf_html(snapshot, "fi", info, [])
    assert 'class="toc"' in html
    document = pdf.render_pdf_in_process(html, fetcher=pdf.NoticeURLFetcher())
    assert "Sisällys" in pdf_text(document)
    assert laid_out == []
