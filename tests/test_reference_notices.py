"""The reference notices entered exactly as written publish every fact and nothing else.

Each reference notice (``../shared/reference-notices``, see docs/reference-notices.md)
is here with fictional company and person names and contact details: the original
text in ``tests/data/reference/<name>.txt`` and the company's data in
``<name>.json``, a backup file imported with the import service (every row goes
through the model's ``full_clean``). Where the original leaves a question open
that the law requires answering, the check refuses to publish; the test shows the
refusal, then the editor gives the answer (``SUPPLEMENTS``, the company's own
words, listed in the mapping document) and the notice is published in Finnish.

On the published page, the PDF (read back) and the JSON:
(a) every sentence and list item of the original appears (whitespace ignored);
(b) nothing else does: with the original's sentences, the editor's answers and the
    texts of the catalogue choices taken away, only the notice's own headings and
    labels remain (``LABELS``), and none of the statements the service used to
    invent is there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from notices import backup, services
from notices.completeness import check_completeness, check_warnings
from notices.models import Recipient, Register, RegisterRight, Right, Source
from notices.snapshot import build_snapshot

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "reference"
FINNISH = "fi"


# --- The originals ---------------------------------------------------------------------


def statements(name: str, catalogue: dict[str, str]) -> list[str]:
    """Every sentence and list item of the original, without markdown and headings.

    Lines starting ``#`` or ``##`` are the original's section headings: the notice
    has its own (they are mapped in docs/reference-notices.md). A line in
    ``catalogue`` is a catalogue choice or the company's data entered in fields: it
    stands for its catalogue text or field values (``Reference.stand_ins``).
    """
    found: list[str] = []
    for raw in (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or re.match(r"#{1,2} ", line) or re.fullmatch(r"## \*\*.*\*\*", line):
            continue
        line = re.sub(r"^#+ ", "", line)
        line = re.sub(r"^- ", "", line)
        line = line.replace("**", "")
        line = re.sub(r"<(https?://[^>]+)>", r"\1", line)
        if line in catalogue:
            continue
        found += [s for s in re.split(r"(?<=[.!?:])\s+(?=[A-ZÅÄÖ])", line) if s]
    return found


def squeeze(text: str) -> str:
    """Text with every space, line break and soft hyphen removed (PDF lines break anywhere)."""
    return re.sub(r"[\s\u00ad]+", "", text)


class _Text(HTMLParser):
    """The text of the notice's ``<article>`` (not the site's header and footer)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article" or self.depth:
            self.depth += 1 if tag == "article" or self.depth else 0

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def article_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def pdf_body(text: str) -> str:
    """The PDF's text without its running footer and the list bullets read on their own.

    The footer (title, company, version, date, page n / m) is repeated on every
    page and lands in the middle of a paragraph that a page break splits.
    """
    footer = re.compile(r"^\S.* · .* · .* \d+ / \d+$")
    bullets = re.compile(r"^[•\s]+$")
    lines = text.splitlines()
    return "\n".join(line for line in lines if not footer.match(line) and not bullets.match(line))


def json_text(value: Any) -> str:
    """Every string of the published JSON, one after the other."""
    if isinstance(value, dict):
        return " ".join(json_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(json_text(v) for v in value)
    return value if isinstance(value, str) else ""


# --- The notices -----------------------------------------------------------------------


def wellflix_answers(register: Register) -> None:
    """What the law requires and the Wellflix notice does not say, in the company's words."""
    register.rights_exercise_fi = (
        "Pyynnöt oikeuksien käyttämisestä osoitetaan rekisterinpitäjän asiakaspalveluun tai "
        "rekisterin yhteyshenkilölle."
    )
    register.statutory_requirement_fi = (
        "Tietojen antaminen on asiakassuhteen edellytys; laki ei velvoita antamaan niitä."
    )
    register.has_automated_decisions = False
    register.full_clean()
    register.save()
    for order, name in enumerate(["Asiakas itse", "Viranomaiset ja yritykset"], 1):
        source = Source(register=register, order=order, name_fi=name, description_fi="")
        source.full_clean()
        source.save()


@dataclass
class Reference:
    name: str  # tests/data/reference/<name>.json and .txt
    slug: str  # the controller's slug
    # Lines of the original that are a catalogue choice -> its catalogue text.
    catalogue: dict[str, str]
    answers: Callable[[Register], None]
    # The editor's answers, as they are published (allowed besides the original).
    answer_texts: list[str]
    # What the check refuses while the original's words alone are entered.
    refusals: set[str]
    # Statements the company did not make (the service used to invent them).
    absent: list[str] = field(default_factory=list)
    # Statements the JSON holds as data, not as the sentence: their values there.
    as_data: dict[str, list[str]] = field(default_factory=dict)
    # Lines of the original that are the company's data entered in fields (with the
    # notice's own labels): the values that stand for them, each published.
    fields: dict[str, list[str]] = field(default_factory=dict)
    # Statements the notice prints in its own form (a list item as a table row, a
    # date in the header): the pieces it prints for them, each of which must appear.
    printed_as: dict[str, list[str]] = field(default_factory=dict)
    # The original's facts entered once more as data and printed on their own (names
    # and addresses in a sentence the notice also prints whole).
    data_texts: list[str] = field(default_factory=list)

    @property
    def entered(self) -> dict[str, str]:
        """The lines of the original that are not statements of their own."""
        return {**self.catalogue, **dict.fromkeys(self.fields, "")}

    @property
    def stand_ins(self) -> list[str]:
        """What is published for those lines: catalogue texts and field values."""
        return list(self.catalogue.values()) + [v for vs in self.fields.values() for v in vs]


REFERENCES = [
    Reference(
        name="kuntovirta",
        slug="kuntovirta",
        # The register's basis, and the Data Protection Ombudsman from the catalogue,
        # whose current address, phone and website replace the original's older ones.
        catalogue={
            "Sopimuksellinen peruste": "Sopimus",
            "PL 800, Ratapihantie 9, 00521 Helsinki": "PL 800, 00531 Helsinki",
            "p. 029 56 66700": "029 566 6700",
            "www.tietosuoja.fi": "https://tietosuoja.fi",
        },
        answers=wellflix_answers,
        answer_texts=[
            "Pyynnöt oikeuksien käyttämisestä osoitetaan rekisterinpitäjän asiakaspalveluun "
            "tai rekisterin yhteyshenkilölle.",
            "Tietojen antaminen on asiakassuhteen edellytys; laki ei velvoita antamaan niitä.",
            "Asiakas itse",
            "Viranomaiset ja yritykset",
        ],
        # Transfers are answered by the original's own sentence ("not, unless technically
        # necessary", Register.transfers_statement): not refused, no sentence added.
        refusals={
            "rights_exercise",
            "has_automated_decisions",
            "statutory_requirement",
            "sources",
        },
        absent=[
            "Suostumus",  # no cookie consent column: the original names no cookies
            "Y-tunnus",  # no business ID given
            "Oikeutettu etu",  # no legitimate interest chosen
            "Oikeus peruuttaa suostumus",  # nothing rests on consent
            "Google LLC",  # no processor invented for Google Analytics
            "Yhdysvallat",
            "Henkilötietoja ei siirretä EU:n tai ETA:n ulkopuolelle.",  # the service's sentence
        ],
        as_data={
            "3.11.2022": ["2022-11-03"],
            "10 vuotta asiakkuuden päättymisestä lukien.": [
                "10",
                "vuotta",
                "asiakkuuden päättymisestä",
            ],
        },
    ),
]


# --- WeSolve Oy (000) → Ratkaisuvoima Oy ----------------------------------------------


def ratkaisuvoima_answers(register: Register) -> None:
    """What the law requires and the WeSolve notice does not say, in the company's words."""
    register.statutory_requirement_fi = RATKAISUVOIMA_STATUTORY
    register.has_automated_decisions = False
    # Transfers: the original's own paragraph ("as a rule not; if so, standard
    # contractual clauses") answers the question (Register.transfers_statement).
    register.no_recipients = False
    register.full_clean()
    register.save()
    for order, name in enumerate(RATKAISUVOIMA_SOURCES, 1):
        source = Source(register=register, order=order, name_fi=name, description_fi="")
        source.full_clean()
        source.save()
    for order, name in enumerate(RATKAISUVOIMA_RECIPIENTS, 1):
        recipient = Recipient(register=register, order=order, name_fi=name, description_fi="")
        recipient.full_clean()
        recipient.save()
    portability = RegisterRight(
        register=register,
        right=Right.objects.get(code=Right.Code.PORTABILITY),
        order=register.rights.count() + 1,
        text_fi=RATKAISUVOIMA_PORTABILITY,
    )
    portability.full_clean()
    portability.save()


RATKAISUVOIMA_STATUTORY = (
    "Yhteystietojen antaminen on sopimuksen tekemisen edellytys; laki ei velvoita antamaan "
    "niitä. Uutiskirjeen tilaaminen ja muiden lisätietojen antaminen on vapaaehtoista."
)
RATKAISUVOIMA_SOURCES = ["Rekisteröity itse", "Yhteisö, jonka puolesta rekisteröity toimii"]
RATKAISUVOIMA_RECIPIENTS = [
    "Viranomaiset",
    "Oikeudenkäyntien ja muiden riidanratkaisumenettelyjen osapuolet",
    "Yritysjärjestelyn osapuolet",
]
RATKAISUVOIMA_PORTABILITY = (
    "Rekisteröidyllä on oikeus saada itse toimittamansa henkilötiedot koneellisesti "
    "luettavassa muodossa ja siirtää ne toiselle rekisterinpitäjälle."
)

REFERENCES.append(
    Reference(
        name="ratkaisuvoima",
        slug="ratkaisuvoima",
        catalogue={},
        answers=ratkaisuvoima_answers,
        answer_texts=[
            RATKAISUVOIMA_STATUTORY,
            *RATKAISUVOIMA_SOURCES,
            *RATKAISUVOIMA_RECIPIENTS,
            RATKAISUVOIMA_PORTABILITY,
        ],
        # Transfers are answered by the original's own paragraph: not refused.
        refusals={
            "no_recipients",
            "has_automated_decisions",
            "statutory_requirement",
            "sources",
            "rights",  # the right to data portability (contract and consent, Art. 20(1))
        },
        absent=[
            # No authority chosen: the original names none ("toimivaltaiselle
            # tietosuojaviranomaiselle"), so none is printed.
            "Tietosuojavaltuutetun toimisto",
            "tietosuoja@om.fi",
            # No processor invented for the outside service providers the original
            # mentions without naming them.
            "Henkilötietojen käsittelijät",
            "Tietosuojavastaava",  # no data protection officer named
            "Tarjoaja",  # no cookie table: the original names no cookies
            "Osa tiedoista siirretään EU:n tai ETA:n ulkopuolelle.",  # no transfer listed
            "Henkilötietoja ei siirretä EU:n tai ETA:n ulkopuolelle.",  # the service's sentence
            # The real company's details are not in the test.
            "3118706-6",
            "wesolve",
            "Ollilainen",
        ],
        fields={
            "Rekisterinpitäjä: Ratkaisuvoima Oy (y-tunnus: 1234567-1)": [
                "Ratkaisuvoima Oy",
                "1234567-1",
            ],
            "Osoite: Esimerkkikatu 2B, 40100 Jyväskylä": ["Esimerkkikatu 2B, 40100 Jyväskylä"],
            "Rekisterinpitäjän yhteyshenkilö: Aino Esimerkki": ["Aino Esimerkki"],
            # Gap: the original obfuscates the address ("name at domain"); a contact
            # person's email must be an address, so it is entered as one.
            "Yhteystiedot: aino at ratkaisuvoima.example.com": ["aino@ratkaisuvoima.example.com"],
        },
        as_data={"Esimerkkikatu 2B, 40100 Jyväskylä": ["Esimerkkikatu 2B", "40100", "Jyväskylä"]},
    )
)


# --- Secapp Oy (002) → Turvaappi Oy ------------------------------------------------------

SECAPP_PORTABILITY = (
    "Rekisteröidyllä on oikeus saada sopimuksen perusteella antamansa tiedot "
    "koneluettavassa muodossa ja siirtää ne toiselle rekisterinpitäjälle."
)
SECAPP_REQUIREMENT = (
    "Yhteystietojen antaminen on asiakassuhteen edellytys; laki ei velvoita antamaan niitä."
)
SECAPP_SOURCES = [
    ("Rekisteröity itse", False),
    ("Julkiset lähteet, kuten Asiakkaan edustaman organisaation WWW-sivut", True),
    ("Turvaappi-palvelun kohderyhmään kuuluvien organisaatioiden yhteystietolistat", False),
]
SECAPP_RECIPIENT = "Viranomaiset lainsäädännön sallimissa ja velvoittamissa rajoissa"


def secapp_answers(register: Register) -> None:
    """What the law requires and the Secapp notice does not say, in the company's words."""
    register.statutory_requirement_fi = SECAPP_REQUIREMENT
    register.has_automated_decisions = False
    # US cloud services are named without a country; the company answers "no transfers"
    # and acknowledges the warning that the processors' locations are not known.
    register.no_transfers = True
    register.no_recipients = False
    register.full_clean()
    register.save()
    portability = RegisterRight(
        register=register,
        order=7,
        right=Right.objects.get(code="portability"),
        text_fi=SECAPP_PORTABILITY,
    )
    portability.full_clean()
    portability.save()
    for order, (name, public) in enumerate(SECAPP_SOURCES, 1):
        source = Source(register=register, order=order, name_fi=name, is_public=public)
        source.full_clean()
        source.save()
    recipient = Recipient(register=register, order=1, name_fi=SECAPP_RECIPIENT)
    recipient.full_clean()
    recipient.save()


# Each processor line as the notice prints it: name, what it does (if the line says),
# what it holds; the country is not given.
SECAPP_PROCESSORS = {
    "Pipedrive CRM: asiakkuuksiin liittyviä tietoja": [
        "Pipedrive CRM",
        "asiakkuuksiin liittyviä tietoja",
    ],
    "Google Workspace: asiakkuuksiin liittyvää kirjeenvaihtoa, kalenterimerkintöjä ja tiedostoja": [
        "Google Workspace",
        "asiakkuuksiin liittyvää kirjeenvaihtoa, kalenterimerkintöjä ja tiedostoja",
    ],
    "Docue: sopimushallinta, asiakkaiden sopimuksiin liittyviä yhteystietoja": [
        "Docue",
        "sopimushallinta",
        "asiakkaiden sopimuksiin liittyviä yhteystietoja",
    ],
    "Trustmary: referenssiasiakkaiden artikkeleja, kommentteja ja mahdollisesti luomia "
    "kuva- ja äänitallenteita": [
        "Trustmary",
        "referenssiasiakkaiden artikkeleja, kommentteja ja mahdollisesti luomia kuva- ja "
        "äänitallenteita",
    ],
    "Netvisor: taloudenhallintajärjestelmä, asiakkaiden laskutukseen liittyviä yhteystietoja": [
        "Netvisor",
        "taloudenhallintajärjestelmä",
        "asiakkaiden laskutukseen liittyviä yhteystietoja",
    ],
    "Request Tracker (Turvaappi Oy:n omilla palvelimilla): asiakkaiden yhteydenottoja "
    "tukipalveluun ja niihin liittyvää materiaalia": [
        "Request Tracker (Turvaappi Oy:n omilla palvelimilla)",
        "asiakkaiden yhteydenottoja tukipalveluun ja niihin liittyvää materiaalia",
    ],
    "Matomo ja Dealfront: verkkosivun kävijätietojen analyysi, tarkempia tietoja löytyy "
    "sivun alalaidan Evästeasetukset-linkistä": [
        "Matomo ja Dealfront",
        "verkkosivun kävijätietojen analyysi",
        "tarkempia tietoja löytyy sivun alalaidan Evästeasetukset-linkistä",
    ],
}
SECAPP_GROUPS = [
    "Asiakkaan tai markkinoinnin kohteena olevan potentiaalisen asiakkaan (tässä: “Asiakas”) "
    "yhteyshenkilöt",
    "Asiakkaan pääkäyttäjät ja sopimusyhteyshenkilöt",
]

REFERENCES.append(
    Reference(
        name="turvaappi",
        slug="turvaappi",
        catalogue={},
        answers=secapp_answers,
        answer_texts=[
            "Asiakas- ja markkinointirekisteri",  # the register's name: the original has none
            SECAPP_PORTABILITY,
            SECAPP_REQUIREMENT,
            *(name for name, _public in SECAPP_SOURCES),
            SECAPP_RECIPIENT,
        ],
        refusals={
            "statutory_requirement",
            "has_automated_decisions",
            "no_transfers",
            "sources",
            "no_recipients",
            "rights",
        },
        absent=[
            # The original names no supervisory authority: none is chosen or printed.
            "Tietosuojavaltuutetun toimisto",
            "tietosuoja@om.fi",
            "Suostumus",  # nothing rests on consent, no cookie table
            "Oikeus peruuttaa suostumus",
            "Yhdysvallat",  # no country invented for the cloud services
            "Suomi",  # the original gives no country for the controller or processors
        ],
        as_data={
            "Laadittu 12.4.2022": ["2022-04-12"],
            "10.7.2023": ["2023-07-10"],
            "Y-tunnus 0000000-0": ["0000000-0"],
            "Esimerkkikatu 5 B 12, 40100 JYVÄSKYLÄ": ["Esimerkkikatu 5 B 12", "40100", "JYVÄSKYLÄ"],
        },
        printed_as={
            # The dates: the header's "Created" and the earlier change in "Changes".
            "Laadittu verkkopalveluun 12.4.2022.": ["Laadittu 12.4.2022"],
            "Viimeisin muutos 10.7.2023.": ["10.7.2023"],
            # The two groups of data subjects, by name; the second group's categories
            # include the first's ("edellisten tietojen lisäksi": linked to both groups).
            f"{SECAPP_GROUPS[0]}:": [SECAPP_GROUPS[0]],
            f"{SECAPP_GROUPS[1]} edellisten tietojen lisäksi:": [SECAPP_GROUPS[1]],
            **SECAPP_PROCESSORS,
        },
        data_texts=[
            # The contact sentence is printed whole, its people again as the DPO and
            # the register's contact person.
            "Anna Esimerkki",
            "tietosuoja@turvaappi.example.com",
            "Matti Malli",
            "markkinoinnista vastaava",
            # The purpose sentence is printed whole; its purposes and the legitimate
            # interest again as data.
            "Asiakasviestintä",
            "Asiakastuki",
            "Markkinointi",
            "asiakassuhteesta huolehtimiseen tai asiakassuhteeseen tähtäävään markkinointiin "
            "perustuva Turvaappi Oy:n oikeutettu etu",
            # The three list items longer than a category's name (200 characters): the
            # name up to the first comma, the rest as its description; the summary
            # lists the names alone.
            "Tieto lähetetystä markkinointiviestinnästä sekä mahdollinen kirjeenvaihto tai "
            "tieto markkinointikiellosta,",
            "Lisäksi saatetaan tallentaa muita mahdolliseen asiakassuhteen hoitamiseen "
            "liittyviä tietoja,",
            "Yhteyshenkilön kanssa sovittujen referenssiartikkelien ja kommenttien sisältö "
            "saattaa sisältää kuvia ja video- tai ääninauhoitteita,",
        ],
    )
)


def _publish(reference: Reference, django_user_model: Any) -> Register:
    controller = backup.import_controller(DATA / f"{reference.name}.json")
    register = controller.registers.get()
    snapshot = build_snapshot(register)
    # A field of the register, or the section of a part's item (a right left out).
    refused = {
        problem.section if problem.item is not None else (problem.field or problem.section)
        for problem in check_completeness(snapshot)
    }
    assert refused == reference.refusals
    # The editor's answers are validated in the notice's language, whatever language
    # an earlier test's request left active (the model's untranslated name is its).
    with translation.override(FINNISH):
        reference.answers(register)
    snapshot = build_snapshot(register)
    assert check_completeness(snapshot) == []
    # The import creates its users inactive, without a password: the company's own
    # publisher signs up (here: is made active).
    user = django_user_model.objects.get(username=f"publisher-{reference.slug}")
    user.is_active = True
    user.save()
    services.notice_publish(
        register=register,
        user=user,
        summary={FINNISH: "Seloste siirretty palveluun."},
        acknowledged=[warning.key for warning in check_warnings(snapshot)],
    )
    return register


def published_texts(reference: Reference, register: Register) -> dict[str, str]:
    base = f"/{FINNISH}/{reference.slug}/{register.slug}/"
    client = Client()
    page = client.get(base)
    assert page.status_code == 200
    pdf = client.get(f"{base}pdf/")
    assert pdf.status_code == 200
    reader = PdfReader(BytesIO(b"".join(pdf.streaming_content)))
    notice = json.loads(client.get(f"{base}notice.json").content)
    return {
        "page": article_text(page.content.decode()),
        "pdf": pdf_body("\n".join(page.extract_text() for page in reader.pages)),
        "json": json_text(notice),
    }


@pytest.fixture(params=REFERENCES, ids=lambda reference: reference.name)
def published(request: pytest.FixtureRequest, django_user_model: Any):
    reference = request.param
    # The editor works in Finnish: the untranslated fields full_clean checks are the
    # active language's columns, and an earlier test may have left another active.
    with translation.override(FINNISH):
        register = _publish(reference, django_user_model)
    return reference, register, published_texts(reference, register)


def test_every_fact_of_the_original_is_published(published):
    reference, register, texts = published
    wanted = [
        s for s in statements(reference.name, reference.entered) if s not in reference.printed_as
    ]
    wanted += reference.stand_ins
    wanted += [piece for pieces in reference.printed_as.values() for piece in pieces]
    for where, text in texts.items():
        missing = [
            s
            for s in wanted
            if squeeze(s) not in squeeze(text)
            and not (
                where == "json"
                and s in reference.as_data
                and all(squeeze(value) in squeeze(text) for value in reference.as_data[s])
            )
        ]
        assert missing == [], (where, missing)


def remainder(text: str, reference: Reference) -> list[str]:
    """What is left of ``text`` without the company's words: the notice's own texts.

    The original's sentences, the catalogue texts standing for its lines and the
    editor's answers are cut out (longest first); dates and times (the day the
    test runs) become ``DATE``. The pieces left, in order, without repeats.
    """
    rest = squeeze(text)
    allowed = statements(reference.name, reference.entered)
    allowed += reference.stand_ins + reference.answer_texts
    allowed += [piece for pieces in reference.printed_as.values() for piece in pieces]
    allowed += reference.data_texts
    for statement in sorted({squeeze(s) for s in allowed}, key=len, reverse=True):
        rest = rest.replace(statement, "|")
    rest = re.sub(
        r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d(\.\d+)?(\+\d\d:\d\d)?)?|\d{1,2}\.\d{1,2}\.\d{4}",
        "DATE",
        rest,
    )
    rest = re.sub(r"[0-9a-f]{64}", "HASH", rest)
    return list(dict.fromkeys(piece for piece in rest.split("|") if piece))


def labels(name: str) -> dict[str, list[str]]:
    """The notice's own headings and labels that may remain, per output (reviewed by hand)."""
    path = DATA / f"{name}.labels.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_nothing_is_published_that_the_company_did_not_say(published):
    reference, register, texts = published
    allowed = labels(reference.name)
    for where, text in texts.items():
        extra = [piece for piece in remainder(text, reference) if piece not in allowed[where]]
        assert extra == [], where
        for statement in reference.absent:
            assert squeeze(statement) not in squeeze(text), (where, statement)
