"""Demo content: three fictional companies modelled on the reference notices.

Each company mirrors the structure and facts of one notice in
``/work/shared/reference-notices/`` with invented names, people and
addresses, and with texts written anew in Finnish and English:

* Turvaratkaisu Oy (like WeSolve/WeSecure): a company-wide notice with many
  purposes, consent for the newsletter and legitimate interests described,
  retention criteria per data category and a US processor under standard
  contractual clauses.
* Sovellustalo Oy (like Secapp): a data protection officer and a marketing
  contact, two groups of data subjects with their own data categories, a
  named list of processors, two of them in the US under the EU–US Data
  Privacy Framework, and a free access request once a year.
* Hyvinvointivirta Oy (like Wellflix): the classic "Asiakasrekisteri" on a
  contract basis, kept 10 years from the end of the customer relationship.

``load_demo()`` writes them to the database; running it again replaces each
demo company's registers, processors and contact persons with fresh copies,
so the result is always the same. That reset also removes whatever was
published for the demo registers: their versions protect them from deletion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import translation

from controllers.models import ContactPerson, Controller, Membership

from . import services
from .models import (
    Cookie,
    DataCategory,
    DataSubjectGroup,
    LegalBasis,
    NoticeRendering,
    NoticeVersion,
    Processor,
    Purpose,
    Recipient,
    Register,
    RegisterProcessor,
    RetentionRule,
    SecurityMeasure,
    Source,
    Transfer,
)

ModelT = TypeVar("ModelT", bound=models.Model)

SUPERUSER_NAME = "admin"


def demo_password(name: str) -> str:
    """The fixed, printed password of a demo login: ``demo-<name>-2026``."""
    return f"demo-{name}-2026"


# --- The shape of the content ---------------------------------------------------


@dataclass(frozen=True)
class T:
    """A text in Finnish and in English."""

    fi: str
    en: str


def tr(**texts: T | None) -> dict[str, str]:
    """Keyword arguments for translated fields: ``tr(name=T(...))`` gives name_fi and name_en."""
    kwargs: dict[str, str] = {}
    for name, text in texts.items():
        kwargs[f"{name}_fi"] = text.fi if text else ""
        kwargs[f"{name}_en"] = text.en if text else ""
    return kwargs


@dataclass(frozen=True, kw_only=True)
class ContactSpec:
    name: str
    title: T
    email: str
    phone: str = ""


@dataclass(frozen=True, kw_only=True)
class ProcessorSpec:
    name: str
    service: T
    country: str
    website: str = ""


@dataclass(frozen=True, kw_only=True)
class GroupSpec:
    key: str
    name: T
    description: T


@dataclass(frozen=True, kw_only=True)
class PurposeSpec:
    name: T
    description: T
    legal_bases: tuple[str, ...]
    legitimate_interest: T | None = None


@dataclass(frozen=True, kw_only=True)
class CategorySpec:
    key: str
    name: T
    description: T
    groups: tuple[str, ...] = ()  # GroupSpec keys; empty means every group
    is_special: bool = False


@dataclass(frozen=True, kw_only=True)
class SourceSpec:
    name: T
    description: T
    is_public: bool = False


@dataclass(frozen=True, kw_only=True)
class RecipientSpec:
    name: T
    description: T
    is_regular_disclosure: bool = False


@dataclass(frozen=True, kw_only=True)
class UseSpec:
    """A processor (by name) used by the register, and what it holds there."""

    processor: str
    processes: T


@dataclass(frozen=True, kw_only=True)
class TransferSpec:
    country: str
    safeguard: str
    copy_info: T
    processor: str = ""
    recipient: T | None = None


@dataclass(frozen=True, kw_only=True)
class RetentionSpec:
    category: str = ""  # CategorySpec key; empty means the whole register
    period: int | None = None
    period_unit: str = ""
    starting_event: T | None = None
    criteria: T | None = None


@dataclass(frozen=True, kw_only=True)
class SecuritySpec:
    kind: str
    description: T


@dataclass(frozen=True, kw_only=True)
class CookieSpec:
    name: str
    provider: str
    category: str
    purpose: T
    duration: T
    consent_required: bool = True


@dataclass(frozen=True, kw_only=True)
class RightSpec:
    """A change to a default right: leave it out or give it the company's own wording."""

    code: str
    included: bool = True
    text: T | None = None


@dataclass(frozen=True, kw_only=True)
class RegisterSpec:
    slug: str
    name: T
    introduction: T
    contact: str  # ContactSpec name
    data_origin: str
    statutory_requirement: T
    automated_decisions: T
    cookies_info: T
    rights_exercise: T
    groups: tuple[GroupSpec, ...]
    purposes: tuple[PurposeSpec, ...]
    categories: tuple[CategorySpec, ...]
    sources: tuple[SourceSpec, ...]
    recipients: tuple[RecipientSpec, ...] = ()
    processors: tuple[UseSpec, ...] = ()
    transfers: tuple[TransferSpec, ...] = ()
    retention: tuple[RetentionSpec, ...]
    security: tuple[SecuritySpec, ...]
    cookies: tuple[CookieSpec, ...] = ()
    rights: tuple[RightSpec, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CompanySpec:
    slug: str
    name: str
    business_id: str
    street_address: str
    postal_code: str
    city: str
    phone: str
    email: str
    website: str
    brand_color: str
    dpo_name: str = ""
    dpo_email: str = ""
    dpo_phone: str = ""
    contacts: tuple[ContactSpec, ...]
    processors: tuple[ProcessorSpec, ...] = ()
    registers: tuple[RegisterSpec, ...]


# --- Texts shared by the demo companies --------------------------------------------

FINLAND = T("Suomi", "Finland")

NO_AUTOMATED_DECISIONS = T(
    "Emme tee tietojesi perusteella automaattisia päätöksiä emmekä profiloi sinua tavalla, "
    "jolla olisi sinuun oikeudellisia tai niihin verrattavia vaikutuksia.",
    "We make no automated decisions based on your data, and we do not profile you in a way "
    "that has legal or similarly significant effects on you.",
)

SESSION = T("istunto", "session")
TWELVE_MONTHS = T("12 kuukautta", "12 months")
THIRTEEN_MONTHS = T("13 kuukautta", "13 months")

CONSENT_COOKIE_PURPOSE = T("Muistaa evästevalintasi.", "Remembers your cookie choices.")


# --- Turvaratkaisu Oy: modelled on WeSolve Oy / WeSecure ---------------------------

TURVARATKAISU = CompanySpec(
    slug="turvaratkaisu",
    name="Turvaratkaisu Oy",
    business_id="9000001-1",
    street_address="Esimerkkikatu 2 B",
    postal_code="40100",
    city="Jyväskylä",
    phone="+358 40 000 0101",
    email="info@turvaratkaisu.example.com",
    website="https://www.turvaratkaisu.example.com",
    brand_color="#0b6e4f",
    contacts=(
        ContactSpec(
            name="Ville Malli",
            title=T("toimitusjohtaja", "Managing Director"),
            email="ville.malli@turvaratkaisu.example.com",
            phone="+358 40 000 0102",
        ),
    ),
    processors=(
        ProcessorSpec(
            name="Pohjoispilvi Oy",
            service=T("Palvelinten ja varmuuskopioiden ylläpito", "Server hosting and backups"),
            country="FI",
            website="https://www.pohjoispilvi.example.com",
        ),
        ProcessorSpec(
            name="Tilitoimisto Tase Oy",
            service=T("Kirjanpito ja laskutus", "Bookkeeping and invoicing"),
            country="FI",
        ),
        ProcessorSpec(
            name="Kirjekyyhky Oy",
            service=T("Uutiskirjeiden lähettäminen", "Sending newsletters"),
            country="FI",
            website="https://www.kirjekyyhky.example.com",
        ),
        ProcessorSpec(
            name="Statsight Inc.",
            service=T("Verkkosivuston kävijätilastot", "Website visitor statistics"),
            country="US",
            website="https://www.statsight.example.com",
        ),
    ),
    registers=(
        RegisterSpec(
            slug="asiakasrekisteri",
            name=T("Asiakas- ja markkinointirekisteri", "Customer and marketing register"),
            introduction=T(
                "Tässä selosteessa kerromme, miten Turvaratkaisu Oy käsittelee asiakkaidensa, "
                "tulevien asiakkaidensa ja yhteistyökumppaniensa yhteyshenkilöiden "
                "henkilötietoja. Seloste koskee tietoturvapalvelujamme ja -koulutuksiamme, "
                "asiakastilaisuuksia, uutiskirjettä ja markkinointia sekä verkkosivustoamme "
                "evästeineen. Kerromme, mitä tietoja keräämme, mihin käytämme niitä, kenelle "
                "annamme niitä ja miten voit käyttää oikeuksiasi.",
                "This notice explains how Turvaratkaisu Oy processes the personal data of its "
                "customers, prospective customers and the contact persons of its partners. It "
                "covers our security services and training, customer events, our newsletter and "
                "marketing, and our website with its cookies. It tells you what data we collect, "
                "what we use it for, to whom we give it and how you can use your rights.",
            ),
            contact="Ville Malli",
            data_origin=Register.DataOrigin.BOTH,
            statutory_requirement=T(
                "Laki ei velvoita sinua antamaan meille tietojasi. Tarvitsemme kuitenkin yhteys- "
                "ja laskutustietosi, jotta voimme tehdä kanssasi sopimuksen ja toimittaa "
                "tilaamasi palvelun; ilman niitä emme voi ottaa tilausta vastaan. Uutiskirjeen "
                "tilaaminen ja tilastoevästeiden hyväksyminen ovat vapaaehtoisia, eikä niistä "
                "kieltäytyminen vaikuta palveluihimme.",
                "No law obliges you to give us your data. We do, however, need your contact and "
                "invoicing details to make a contract with you and to deliver the service you "
                "order; without them we cannot accept the order. Subscribing to the newsletter "
                "and accepting statistics cookies are voluntary, and refusing them does not "
                "affect our services.",
            ),
            automated_decisions=NO_AUTOMATED_DECISIONS,
            cookies_info=T(
                "Eväste on pieni tekstitiedosto, jonka verkkosivusto tallentaa selaimeesi. "
                "Käytämme välttämättömiä evästeitä, jotta sivusto toimii, ja tilastoevästeitä "
                "vain, jos hyväksyt ne. Kysymme suostumustasi, kun tulet sivustolle "
                "ensimmäisen kerran, ja voit muuttaa valintaasi milloin tahansa sivun alareunan "
                "Evästeasetukset-linkistä. Välttämättömiä evästeitä et voi kieltää sivustolla, "
                "mutta voit poistaa ne selaimesi asetuksista.",
                "A cookie is a small text file that a website stores in your browser. We use "
                "strictly necessary cookies to make the site work, and statistics cookies only "
                "if you accept them. We ask for your consent on your first visit, and you can "
                "change your choice at any time with the Cookie settings link at the bottom of "
                "each page. You cannot refuse strictly necessary cookies on the site, but you "
                "can delete them in your browser settings.",
            ),
            rights_exercise=T(
                "Lähetä oikeuksiasi koskeva pyyntö sähköpostilla rekisteriasioiden "
                "yhteyshenkilöllemme, jonka yhteystiedot ovat tämän selosteen alussa. Kerro "
                "pyynnössä nimesi ja yhteystietosi, jotta voimme tunnistaa sinut; jos emme voi "
                "varmistaa henkilöllisyyttäsi, pyydämme lisätietoja. Vastaamme kuukauden "
                "kuluessa pyynnön saapumisesta. Jos emme voi toteuttaa pyyntöäsi, kerromme "
                "syyn kirjallisesti.",
                "Send any request about your rights by email to our contact person for register "
                "matters, whose details are at the start of this notice. Give your name and "
                "contact details so that we can identify you; if we cannot confirm your "
                "identity, we ask you for more information. We answer within one month of "
                "receiving the request. If we cannot carry out your request, we tell you why in "
                "writing.",
            ),
            groups=(
                GroupSpec(
                    key="customers",
                    name=T("Asiakkaat", "Customers"),
                    description=T(
                        "Kuluttaja-asiakkaat sekä yritys- ja yhteisöasiakkaiden yhteyshenkilöt.",
                        "Consumer customers and the contact persons of business and "
                        "organisation customers.",
                    ),
                ),
                GroupSpec(
                    key="prospects",
                    name=T("Tulevat asiakkaat", "Prospective customers"),
                    description=T(
                        "Henkilöt, jotka ovat pyytäneet meiltä tarjousta tai tietoa, "
                        "osallistuneet tilaisuuteemme tai edustavat yritystä, jolle tarjoamme "
                        "palvelujamme.",
                        "People who have asked us for an offer or information, attended one of "
                        "our events, or represent a company to which we offer our services.",
                    ),
                ),
                GroupSpec(
                    key="partners",
                    name=T("Yhteistyökumppanien yhteyshenkilöt", "Contact persons of partners"),
                    description=T(
                        "Palveluntarjoajiemme, alihankkijoidemme ja muiden kumppaniemme edustajat.",
                        "Representatives of our service providers, subcontractors and other "
                        "partners.",
                    ),
                ),
                GroupSpec(
                    key="visitors",
                    name=T(
                        "Verkkosivuston käyttäjät ja uutiskirjeen tilaajat",
                        "Website visitors and newsletter subscribers",
                    ),
                    description=T(
                        "Henkilöt, jotka käyttävät verkkosivustoamme tai ovat tilanneet "
                        "uutiskirjeemme.",
                        "People who use our website or have subscribed to our newsletter.",
                    ),
                ),
            ),
            purposes=(
                PurposeSpec(
                    name=T("Tilausten ja sopimusten hoitaminen", "Handling orders and contracts"),
                    description=T(
                        "Käsittelemme tietoja, kun tilaat palvelun tai koulutuksen, kun teemme "
                        "sopimuksen ja kun toimitamme palvelun. Tarvitsemme tietoja myös "
                        "laskutukseen ja sopimukseen liittyvään yhteydenpitoon.",
                        "We process data when you order a service or training, when we make a "
                        "contract and when we deliver the service. We also need the data for "
                        "invoicing and for keeping in touch about the contract.",
                    ),
                    legal_bases=("6-1-b", "6-1-f"),
                    legitimate_interest=T(
                        "Kun asiakkaamme on yritys tai yhteisö, sopimus on sen eikä "
                        "yhteyshenkilön kanssa. Käsittelemme silloin yhteyshenkilön tietoja, "
                        "jotta voimme hoitaa sopimuksen asiakkaamme kanssa.",
                        "When our customer is a company or organisation, the contract is with it "
                        "and not with its contact person. We then process the contact person's "
                        "data so that we can carry out the contract with our customer.",
                    ),
                ),
                PurposeSpec(
                    name=T("Lakisääteisten velvoitteiden täyttäminen", "Meeting legal obligations"),
                    description=T(
                        "Säilytämme kirjanpitoaineiston kirjanpitolain mukaisesti ja annamme "
                        "viranomaisille tiedot, joita laki meiltä edellyttää.",
                        "We keep accounting records as the Accounting Act requires and give the "
                        "authorities the information the law requires from us.",
                    ),
                    legal_bases=("6-1-c",),
                ),
                PurposeSpec(
                    name=T(
                        "Palvelujen kehittäminen ja liiketoiminnan suunnittelu",
                        "Developing services and planning the business",
                    ),
                    description=T(
                        "Seuraamme palvelujemme käyttöä ja asiakaspalautetta, jotta voimme "
                        "parantaa palvelujen laatua ja suunnitella uusia palveluja. Käytämme "
                        "suunnitteluun koottuja tilastoja aina, kun ne riittävät.",
                        "We follow how our services are used and what feedback customers give, "
                        "to improve the quality of our services and plan new ones. We use "
                        "aggregated statistics for planning whenever they are enough.",
                    ),
                    legal_bases=("6-1-f",),
                    legitimate_interest=T(
                        "Oikeutettu etumme on kehittää palvelujamme asiakkaiden tarpeiden "
                        "mukaisiksi. Käytämme tähän vain asiakassuhteen aikana saamiamme "
                        "tietoja, emmekä tee niiden perusteella sinua koskevia päätöksiä.",
                        "Our legitimate interest is to develop our services to meet our "
                        "customers' needs. For this we use only data received during the "
                        "customer relationship, and we make no decisions about you based on it.",
                    ),
                ),
                PurposeSpec(
                    name=T(
                        "Tietoturva ja väärinkäytösten estäminen", "Security and fraud prevention"
                    ),
                    description=T(
                        "Valvomme palvelujemme ja verkkosivustomme tietoturvaa, estämme "
                        "väärinkäytöksiä ja selvitämme ne, jos niitä tapahtuu.",
                        "We monitor the security of our services and website, prevent misuse, "
                        "and investigate it if it happens.",
                    ),
                    legal_bases=("6-1-f",),
                    legitimate_interest=T(
                        "Oikeutettu etumme on suojata palvelumme, asiakkaidemme tiedot ja oma "
                        "liiketoimintamme tietomurroilta ja petoksilta.",
                        "Our legitimate interest is to protect our services, our customers' data "
                        "and our own business against breaches and fraud.",
                    ),
                ),
                PurposeSpec(
                    name=T(
                        "Asiakassuhteen hoitaminen ja asiakasviestintä",
                        "Customer care and customer communication",
                    ),
                    description=T(
                        "Vastaamme kysymyksiin ja palautteeseen, kerromme asiakkaillemme heidän "
                        "palvelujaan koskevista muutoksista ja kutsumme heitä asiakas- ja "
                        "koulutustilaisuuksiin.",
                        "We answer questions and feedback, tell our customers about changes to "
                        "the services they use, and invite them to customer events and training "
                        "sessions.",
                    ),
                    legal_bases=("6-1-f",),
                    legitimate_interest=T(
                        "Oikeutettu etumme on pitää yhteyttä asiakkaisiimme ja hoitaa "
                        "asiakassuhdetta hyvin. Asiakkaana sinulla on perusteltu syy odottaa "
                        "tällaista yhteydenpitoa.",
                        "Our legitimate interest is to keep in touch with our customers and look "
                        "after the customer relationship well. As a customer you have good "
                        "reason to expect such contact.",
                    ),
                ),
                PurposeSpec(
                    name=T(
                        "Markkinointi asiakkaille ja yrityksille",
                        "Marketing to customers and businesses",
                    ),
                    description=T(
                        "Lähetämme asiakkaillemme ja yritysten yhteyshenkilöille tietoa "
                        "palveluistamme ja tilaisuuksistamme postitse, puhelimitse tai "
                        "työsähköpostiin. Voit kieltää markkinoinnin milloin tahansa.",
                        "We send our customers and the contact persons of companies information "
                        "about our services and events by post, by phone or to their work email. "
                        "You can refuse marketing at any time.",
                    ),
                    legal_bases=("6-1-f",),
                    legitimate_interest=T(
                        "Oikeutettu etumme on kertoa palveluistamme nykyisille asiakkaillemme ja "
                        "yrityksille, joiden toimintaan palvelumme liittyvät. Kohdistamme "
                        "markkinoinnin vain henkilöihin, joiden työtehtäviin tietoturva kuuluu.",
                        "Our legitimate interest is to tell our current customers, and companies "
                        "whose work our services relate to, about our services. We direct "
                        "marketing only at people whose work includes information security.",
                    ),
                ),
                PurposeSpec(
                    name=T(
                        "Uutiskirje ja sähköinen suoramarkkinointi kuluttajille",
                        "Newsletter and electronic direct marketing to consumers",
                    ),
                    description=T(
                        "Lähetämme uutiskirjeemme ja muuta sähköistä markkinointia niille, jotka "
                        "ovat tilanneet sen. Voit perua tilauksen jokaisen viestin lopussa "
                        "olevasta linkistä.",
                        "We send our newsletter and other electronic marketing to those who have "
                        "subscribed to it. You can unsubscribe with the link at the end of every "
                        "message.",
                    ),
                    legal_bases=("6-1-a",),
                ),
                PurposeSpec(
                    name=T("Verkkosivuston kävijätilastot", "Website visitor statistics"),
                    description=T(
                        "Kun hyväksyt tilastoevästeet, keräämme tietoa siitä, miten sivustoamme "
                        "käytetään, ja parannamme sivustoa sen perusteella.",
                        "When you accept statistics cookies, we collect information on how our "
                        "website is used and improve the site on that basis.",
                    ),
                    legal_bases=("6-1-a",),
                ),
            ),
            categories=(
                CategorySpec(
                    key="contact",
                    name=T("Yhteystiedot", "Contact details"),
                    description=T(
                        "Nimi, postiosoite, puhelinnumero ja sähköpostiosoite. Yhteyshenkilöistä "
                        "lisäksi organisaatio ja tehtävänimike.",
                        "Name, postal address, phone number and email address. For contact "
                        "persons also their organisation and job title.",
                    ),
                ),
                CategorySpec(
                    key="customer",
                    name=T("Asiakassuhteen tiedot", "Customer relationship data"),
                    description=T(
                        "Asiakasnumero, laskutus- ja maksutiedot sekä tilinumero.",
                        "Customer number, invoicing and payment details, and bank account number.",
                    ),
                    groups=("customers",),
                ),
                CategorySpec(
                    key="orders",
                    name=T("Tilaus- ja sopimustiedot", "Order and contract data"),
                    description=T(
                        "Tilaukset, sopimukset liitteineen, asiakaspalaute, reklamaatiot sekä "
                        "viestit meidän ja sinun tai edustamasi organisaation välillä.",
                        "Orders, contracts with their annexes, customer feedback, complaints, and "
                        "messages between us and you or the organisation you represent.",
                    ),
                    groups=("customers", "partners"),
                ),
                CategorySpec(
                    key="usage",
                    name=T(
                        "Verkkosivuston käyttötiedot ja tekniset tunnisteet",
                        "Website usage data and technical identifiers",
                    ),
                    description=T(
                        "IP-osoite, selaimen tyyppi, katsellut sivut, osoite, josta tulit "
                        "sivustolle, sekä käynnin ajankohta ja kesto. Keräämme nämä evästeillä, "
                        "tilastoevästeillä vain suostumuksellasi; katso kohta Evästeet.",
                        "IP address, browser type, pages viewed, the address you came from, and "
                        "the time and length of the visit. We collect these with cookies, with "
                        "statistics cookies only with your consent; see Cookies.",
                    ),
                    groups=("visitors",),
                ),
                CategorySpec(
                    key="consents",
                    name=T("Suostumukset ja kiellot", "Consents and objections"),
                    description=T(
                        "Uutiskirjeen tilaus, markkinointisuostumukset ja -kiellot sekä viestit "
                        "ja toimet, jotka liittyvät oikeuksiesi käyttämiseen.",
                        "Newsletter subscription, marketing consents and objections, and the "
                        "messages and actions relating to your use of your rights.",
                    ),
                ),
                CategorySpec(
                    key="other",
                    name=T("Muut itse antamasi tiedot", "Other data you give us"),
                    description=T(
                        "Tilaisuuksiin ja sopimuksiin liittyvät toiveesi sekä muut tiedot, jotka "
                        "kerrot meille yhteydenotoissa tai tapaamisissa.",
                        "Your wishes concerning events and contracts, and other information you "
                        "tell us when you contact or meet us.",
                    ),
                ),
            ),
            sources=(
                SourceSpec(
                    name=T("Sinä itse", "You"),
                    description=T(
                        "Saamme tiedot sinulta, kun teet tilauksen tai sopimuksen, täytät "
                        "lomakkeen verkkosivustollamme, tilaat uutiskirjeen, ilmoittaudut "
                        "tilaisuuteen tai olet meihin yhteydessä.",
                        "We get the data from you when you place an order or make a contract, "
                        "fill in a form on our website, subscribe to our newsletter, sign up for "
                        "an event or contact us.",
                    ),
                ),
                SourceSpec(
                    name=T("Edustamasi organisaatio", "The organisation you represent"),
                    description=T(
                        "Yritys- ja yhteisöasiakkaat ja kumppanit kertovat meille "
                        "yhteyshenkilöidensä tiedot.",
                        "Business and organisation customers and partners give us the details of "
                        "their contact persons.",
                    ),
                ),
                SourceSpec(
                    name=T("Julkiset yritystiedot", "Public company information"),
                    description=T(
                        "Tarkistamme yritysasiakkaiden ja kumppanien tiedot yritys- ja "
                        "yhteisötietojärjestelmästä (YTJ) ja yritysten omilta verkkosivuilta.",
                        "We check the details of business customers and partners in the Finnish "
                        "Business Information System (YTJ) and on the companies' own websites.",
                    ),
                    is_public=True,
                ),
                SourceSpec(
                    name=T("Verkkosivustomme evästeet", "Cookies on our website"),
                    description=T(
                        "Verkkosivuston käyttötiedot saamme evästeistä ja vastaavista "
                        "tekniikoista, tilastoevästeistä vain suostumuksellasi.",
                        "We get website usage data from cookies and similar technologies, from "
                        "statistics cookies only with your consent.",
                    ),
                ),
            ),
            recipients=(
                RecipientSpec(
                    name=T("Viranomaiset", "Authorities"),
                    description=T(
                        "Annamme tietoja viranomaisille, kun laki sitä edellyttää, esimerkiksi "
                        "Verohallinnolle tai poliisille esitutkinnassa.",
                        "We give data to authorities when the law requires it, for example to "
                        "the Tax Administration or to the police in a criminal investigation.",
                    ),
                ),
                RecipientSpec(
                    name=T("Tuomioistuimet ja riidanratkaisu", "Courts and dispute resolution"),
                    description=T(
                        "Jos olemme osapuolena oikeudenkäynnissä tai muussa riidanratkaisussa, "
                        "annamme asian käsittelyyn tarvittavat tiedot tuomioistuimelle tai "
                        "riidanratkaisuelimelle.",
                        "If we are a party to court proceedings or other dispute resolution, we "
                        "give the data needed to handle the case to the court or the dispute "
                        "resolution body.",
                    ),
                ),
                RecipientSpec(
                    name=T("Hätätilanteet", "Emergencies"),
                    description=T(
                        "Jos jonkun henkeä, terveyttä tai omaisuutta on suojattava "
                        "hätätilanteessa, annamme tarvittavat tiedot pelastusviranomaisille tai "
                        "hätäkeskukselle.",
                        "If someone's life, health or property needs protecting in an "
                        "emergency, we give the necessary data to the rescue authorities or the "
                        "emergency response centre.",
                    ),
                ),
                RecipientSpec(
                    name=T("Yrityskaupan osapuolet", "Parties to a business transfer"),
                    description=T(
                        "Jos myymme liiketoimintamme tai sen osan tai sulaudumme toiseen "
                        "yritykseen, asiakastiedot siirtyvät ostajalle tai uudelle yhtiölle. "
                        "Kerromme siitä sinulle etukäteen.",
                        "If we sell all or part of our business or merge with another company, "
                        "customer data passes to the buyer or the new company. We tell you about "
                        "it in advance.",
                    ),
                ),
            ),
            processors=(
                UseSpec(
                    processor="Pohjoispilvi Oy",
                    processes=T(
                        "Kaikki rekisterin tiedot, jotka ovat palvelimillamme ja "
                        "varmuuskopioissa Suomessa.",
                        "All the register's data on our servers and in backups in Finland.",
                    ),
                ),
                UseSpec(
                    processor="Tilitoimisto Tase Oy",
                    processes=T(
                        "Asiakkaiden laskutus- ja maksutiedot sekä yhteystiedot.",
                        "Customers' invoicing and payment details and contact details.",
                    ),
                ),
                UseSpec(
                    processor="Kirjekyyhky Oy",
                    processes=T(
                        "Uutiskirjeen tilaajien nimet ja sähköpostiosoitteet sekä tieto siitä, "
                        "mitkä viestit on avattu.",
                        "Names and email addresses of newsletter subscribers, and which messages "
                        "they have opened.",
                    ),
                ),
                UseSpec(
                    processor="Statsight Inc.",
                    processes=T(
                        "Verkkosivuston käyttötiedot ja tekniset tunnisteet, kun olet "
                        "hyväksynyt tilastoevästeet.",
                        "Website usage data and technical identifiers, once you have accepted "
                        "statistics cookies.",
                    ),
                ),
            ),
            transfers=(
                TransferSpec(
                    processor="Statsight Inc.",
                    country="US",
                    safeguard=Transfer.Safeguard.SCC,
                    copy_info=T(
                        "Olemme sopineet Statsight Inc:n kanssa Euroopan komission "
                        "vakiosopimuslausekkeista. Saat niistä jäljennöksen "
                        "rekisteriasioiden yhteyshenkilöltämme.",
                        "We have agreed on the European Commission's standard contractual "
                        "clauses with Statsight Inc. Our contact person for register matters "
                        "sends you a copy on request.",
                    ),
                ),
            ),
            retention=(
                RetentionSpec(
                    criteria=T(
                        "Käymme tiedot läpi kerran vuodessa ja poistamme ne, joita emme enää "
                        "tarvitse mihinkään tässä selosteessa kerrottuun tarkoitukseen.",
                        "Once a year we review the data and delete what we no longer need for "
                        "any purpose described in this notice.",
                    ),
                ),
                RetentionSpec(
                    category="contact",
                    criteria=T(
                        "Säilytämme yhteystietoja niin kauan kuin asiakassuhde tai sopimus on "
                        "voimassa ja sen jälkeen kolme vuotta, jotta voimme selvittää "
                        "sopimukseen liittyvät vaatimukset. Yhteyshenkilön tiedot poistamme, kun "
                        "kuulemme, ettei hän enää edusta organisaatiotaan meihin päin.",
                        "We keep contact details while the customer relationship or contract "
                        "lasts and for three years after it, so that we can settle claims "
                        "relating to the contract. We delete a contact person's details when we "
                        "learn that they no longer represent their organisation in dealings "
                        "with us.",
                    ),
                ),
                RetentionSpec(
                    category="customer",
                    criteria=T(
                        "Säilytämme laskutus- ja maksutiedot kuusi vuotta sen vuoden lopusta, "
                        "jona tilikausi päättyi, kuten kirjanpitolaki edellyttää.",
                        "We keep invoicing and payment details for six years from the end of the "
                        "year in which the financial year ended, as the Accounting Act requires.",
                    ),
                ),
                RetentionSpec(
                    category="orders",
                    criteria=T(
                        "Säilytämme tilaukset, sopimukset ja niihin liittyvät viestit sopimuksen "
                        "voimassaolon ajan ja kolme vuotta sen päättymisestä, koska saatavien "
                        "yleinen vanhentumisaika on kolme vuotta.",
                        "We keep orders, contracts and the messages relating to them while the "
                        "contract lasts and for three years after it ends, because the general "
                        "limitation period for claims is three years.",
                    ),
                ),
                RetentionSpec(
                    category="usage",
                    criteria=T(
                        "Tilastopalvelu poistaa käyttötiedot 14 kuukauden kuluttua käynnistä. "
                        "Palvelinten lokitiedot poistamme 90 päivän kuluttua.",
                        "The statistics service deletes usage data 14 months after the visit. We "
                        "delete server logs after 90 days.",
                    ),
                ),
                RetentionSpec(
                    category="consents",
                    criteria=T(
                        "Säilytämme suostumukset niin kauan kuin ne ovat voimassa. "
                        "Markkinointikiellon säilytämme niin kauan kuin meillä on yhteystietosi, "
                        "jotta voimme noudattaa kieltoa.",
                        "We keep consents for as long as they are valid. We keep a marketing "
                        "objection for as long as we hold your contact details, so that we can "
                        "respect it.",
                    ),
                ),
                RetentionSpec(
                    category="other",
                    criteria=T(
                        "Poistamme tilaisuuksiin liittyvät toiveet kolmen kuukauden kuluessa "
                        "tilaisuudesta ja muut itse antamasi tiedot, kun asia, jota ne koskevat, "
                        "on hoidettu.",
                        "We delete wishes concerning an event within three months of the event, "
                        "and other data you have given us once the matter it concerns has been "
                        "dealt with.",
                    ),
                ),
            ),
            security=(
                SecuritySpec(
                    kind=SecurityMeasure.Kind.MANUAL,
                    description=T(
                        "Säilytämme alkuperäiset sopimukset ja muut paperiasiakirjat lukituissa "
                        "tiloissa, joihin pääsevät vain ne työntekijät, jotka tarvitsevat niitä "
                        "työssään.",
                        "We keep original contracts and other paper documents in locked premises "
                        "that only the employees who need them for their work can enter.",
                    ),
                ),
                SecuritySpec(
                    kind=SecurityMeasure.Kind.ELECTRONIC,
                    description=T(
                        "Tietojärjestelmämme on suojattu palomuureilla, ja tiedot salataan "
                        "siirron ja tallennuksen ajaksi. Jokainen käyttäjä kirjautuu omilla "
                        "tunnuksillaan ja kaksivaiheisella tunnistautumisella, ja käyttöoikeudet "
                        "annetaan vain työtehtävien mukaan. Palvelimet ovat valvotuissa "
                        "konesaleissa.",
                        "Our systems are protected by firewalls, and data is encrypted in transit "
                        "and at rest. Every user signs in with personal credentials and "
                        "two-factor authentication, and access rights are granted only as work "
                        "tasks require. The servers are in monitored data centres.",
                    ),
                ),
                SecuritySpec(
                    kind=SecurityMeasure.Kind.ORGANISATIONAL,
                    description=T(
                        "Työntekijöillämme on työsopimuslain ja salassapitositoumusten mukainen "
                        "vaitiolovelvollisuus. Perehdytämme henkilöstön ja alihankkijat "
                        "tietosuojaan, ja jokaisen henkilötietojen käsittelijän kanssa meillä on "
                        "kirjallinen sopimus henkilötietojen käsittelystä.",
                        "Our employees are bound to confidentiality by the Employment Contracts "
                        "Act and their confidentiality undertakings. We train our staff and "
                        "subcontractors in data protection, and we have a written data "
                        "processing agreement with every processor.",
                    ),
                ),
            ),
            cookies=(
                CookieSpec(
                    name="sessionid",
                    provider="Turvaratkaisu Oy",
                    category=Cookie.Category.NECESSARY,
                    purpose=T(
                        "Pitää istunnon yllä, kun täytät lomaketta sivustolla.",
                        "Keeps your session while you fill in a form on the site.",
                    ),
                    duration=SESSION,
                    consent_required=False,
                ),
                CookieSpec(
                    name="cookie_consent",
                    provider="Turvaratkaisu Oy",
                    category=Cookie.Category.NECESSARY,
                    purpose=CONSENT_COOKIE_PURPOSE,
                    duration=TWELVE_MONTHS,
                    consent_required=False,
                ),
                CookieSpec(
                    name="_sa_id",
                    provider="Statsight Inc.",
                    category=Cookie.Category.STATISTICS,
                    purpose=T(
                        "Erottaa kävijät toisistaan, jotta voimme laskea käynnit ja nähdä, mitä "
                        "sivuja luetaan.",
                        "Tells visitors apart so that we can count visits and see which pages "
                        "are read.",
                    ),
                    duration=THIRTEEN_MONTHS,
                ),
                CookieSpec(
                    name="_sa_session",
                    provider="Statsight Inc.",
                    category=Cookie.Category.STATISTICS,
                    purpose=T(
                        "Yhdistää saman käynnin sivulataukset toisiinsa.",
                        "Links together the page loads of one visit.",
                    ),
                    duration=T("30 minuuttia", "30 minutes"),
                ),
            ),
            rights=(
                RightSpec(
                    code="objection",
                    text=T(
                        "Voit vastustaa oikeutettuun etuumme perustuvaa käsittelyä "
                        "henkilökohtaiseen tilanteeseesi liittyvällä perusteella. Voit milloin "
                        "tahansa kieltää meitä käyttämästä tietojasi suoramarkkinointiin, "
                        "etämyyntiin sekä markkina- ja mielipidetutkimuksiin ilmoittamalla "
                        "siitä rekisteriasioiden yhteyshenkilöllemme.",
                        "You can object to processing based on our legitimate interests on "
                        "grounds relating to your particular situation. You can at any time "
                        "forbid us to use your data for direct marketing, distance selling and "
                        "market and opinion research by telling our contact person for register "
                        "matters.",
                    ),
                ),
                RightSpec(
                    code="withdraw_consent",
                    text=T(
                        "Voit peruuttaa suostumuksesi milloin tahansa. Uutiskirjeen voit perua "
                        "jokaisen viestin lopussa olevasta linkistä ja tilastoevästeet "
                        "sivuston Evästeasetukset-linkistä. Peruuttaminen ei vaikuta "
                        "käsittelyyn, joka on tehty ennen sitä.",
                        "You can withdraw your consent at any time. You can unsubscribe from the "
                        "newsletter with the link at the end of every message, and turn off "
                        "statistics cookies with the Cookie settings link on the website. "
                        "Withdrawal does not affect processing carried out before it.",
                    ),
                ),
            ),
        ),
    ),
)


# --- Sovellustalo Oy: modelled on Secapp Oy ----------------------------------------

SOVELLUSTALO = CompanySpec(
    slug="sovellustalo",
    name="Sovellustalo Oy",
    business_id="9000003-8",
    street_address="Esimerkkitie 21 E",
    postal_code="40720",
    city="Jyväskylä",
    phone="+358 40 000 0201",
    email="info@sovellustalo.example.com",
    website="https://www.sovellustalo.example.com",
    brand_color="#6a1b9a",
    dpo_name="Helmi Testinen",
    dpo_email="tietosuoja@sovellustalo.example.com",
    dpo_phone="+358 40 000 0202",
    contacts=(
        ContactSpec(
            name="Juho Kuvitelma",
            title=T("markkinointipäällikkö", "Marketing Manager"),
            email="juho.kuvitelma@sovellustalo.example.com",
            phone="+358 40 000 0203",
        ),
    ),
    processors=(
        ProcessorSpec(
            name="Pipeline CRM Inc.",
            service=T("Asiakkuudenhallinta (CRM)", "Customer relationship management (CRM)"),
            country="US",
            website="https://www.pipelinecrm.example.com",
        ),
        ProcessorSpec(
            name="Workdesk Cloud Inc.",
            service=T("Sähköposti, kalenteri ja tiedostot", "Email, calendar and files"),
            country="US",
            website="https://www.workdesk.example.com",
        ),
        ProcessorSpec(
            name="Sopimusarkisto Oy",
            service=T("Sähköinen sopimushallinta", "Electronic contract management"),
            country="FI",
        ),
        ProcessorSpec(
            name="Suosittelija Oy",
            service=T("Asiakasreferenssien julkaiseminen", "Publishing customer references"),
            country="FI",
        ),
        ProcessorSpec(
            name="Talouspilvi Oy",
            service=T("Taloushallinto ja laskutus", "Financial management and invoicing"),
            country="FI",
        ),
        ProcessorSpec(
            name="Visitlens Oy",
            service=T("Verkkosivuston kävijäanalytiikka", "Website visitor analytics"),
            country="FI",
        ),
    ),
    registers=(
        RegisterSpec(
            slug="asiakasrekisteri",
            name=T("Asiakkuus- ja markkinointirekisteri", "Customer and marketing register"),
            introduction=T(
                "Tässä selosteessa kerromme, miten Sovellustalo Oy käsittelee asiakkaidensa ja "
                "tulevien asiakkaidensa yhteyshenkilöiden henkilötietoja asiakkuuksien hoidossa "
                "ja markkinoinnissa. Seloste ei koske tietoja, joita asiakkaamme tallentavat "
                "Viestiketju-palveluun: niiden rekisterinpitäjä on kukin asiakas itse, ja "
                "niiden käsittelystä kerrotaan palvelun omassa tietosuojaselosteessa.",
                "This notice explains how Sovellustalo Oy processes the personal data of the "
                "contact persons of its customers and prospective customers in customer care "
                "and marketing. It does not cover the data our customers store in the "
                "Viestiketju service: each customer is the controller of that data, and the "
                "service's own privacy notice describes how it is processed.",
            ),
            contact="Juho Kuvitelma",
            data_origin=Register.DataOrigin.BOTH,
            statutory_requirement=T(
                "Tietojen antaminen ei perustu lakiin. Asiakasorganisaation pääkäyttäjän ja "
                "sopimusyhteyshenkilön yhteystiedot tarvitaan, jotta voimme toimittaa palvelun "
                "ja hoitaa sopimuksen; ilman niitä emme voi avata organisaatiolle "
                "Viestiketju-tiliä. Osallistuminen referensseihin on vapaaehtoista.",
                "Giving the data is not required by law. We need the contact details of the "
                "customer organisation's main user and contract contact to deliver the service "
                "and carry out the contract; without them we cannot open a Viestiketju account "
                "for the organisation. Taking part in references is voluntary.",
            ),
            automated_decisions=NO_AUTOMATED_DECISIONS,
            cookies_info=T(
                "Sivustomme käyttää välttämättömiä evästeitä sekä tilasto- ja "
                "markkinointievästeitä. Tilasto- ja markkinointievästeet otamme käyttöön vain, "
                "jos hyväksyt ne evästeilmoituksessa, jonka näet ensimmäisellä käynnilläsi. "
                "Voit muuttaa valintaasi milloin tahansa sivun alareunan "
                "Evästeasetukset-linkistä.",
                "Our website uses strictly necessary cookies as well as statistics and "
                "marketing cookies. We turn statistics and marketing cookies on only if you "
                "accept them in the cookie notice shown on your first visit. You can change "
                "your choice at any time with the Cookie settings link at the bottom of the "
                "page.",
            ),
            rights_exercise=T(
                "Lähetä pyyntö kirjallisesti ja allekirjoitettuna postiosoitteeseemme tai "
                "sähköpostilla tietosuojavastaavallemme; yhteystiedot ovat selosteen alussa. "
                "Tarkistamme tarvittaessa henkilöllisyytesi tai pyydämme lisätietoja, jotta "
                "tiedämme pyynnön tulevan sinulta. Vastaamme viimeistään kuukauden kuluessa. "
                "Toivomme, että voimme ratkaista erimielisyydet ensin keskenämme, mutta voit "
                "aina tehdä valituksen myös valvontaviranomaiselle.",
                "Send your request in writing and signed to our postal address, or by email to "
                "our data protection officer; the details are at the start of this notice. "
                "Where needed, we check your identity or ask for more information to make sure "
                "the request comes from you. We answer within one month at the latest. We hope "
                "to settle any disagreement with you directly first, but you can always also "
                "lodge a complaint with the supervisory authority.",
            ),
            groups=(
                GroupSpec(
                    key="contacts",
                    name=T(
                        "Asiakkaiden ja tulevien asiakkaiden yhteyshenkilöt",
                        "Contact persons of customers and prospective customers",
                    ),
                    description=T(
                        "Asiakasorganisaatioiden työntekijät sekä niiden organisaatioiden "
                        "työntekijät, joille markkinoimme Viestiketju-palvelua.",
                        "Employees of customer organisations and of the organisations to which "
                        "we market the Viestiketju service.",
                    ),
                ),
                GroupSpec(
                    key="admins",
                    name=T(
                        "Asiakkaiden pääkäyttäjät ja sopimusyhteyshenkilöt",
                        "Customers' main users and contract contacts",
                    ),
                    description=T(
                        "Henkilöt, jotka hallinnoivat organisaationsa Viestiketju-tiliä tai "
                        "vastaavat sen sopimuksesta kanssamme.",
                        "People who administer their organisation's Viestiketju account or are "
                        "responsible for its contract with us.",
                    ),
                ),
            ),
            purposes=(
                PurposeSpec(
                    name=T(
                        "Asiakassopimusten hoitaminen ja asiakastuki",
                        "Carrying out customer contracts and customer support",
                    ),
                    description=T(
                        "Toimitamme Viestiketju-palvelun asiakasorganisaatioille, hoidamme "
                        "käyttöönotot ja pääkäyttäjätunnukset sekä vastaamme tukipyyntöihin.",
                        "We deliver the Viestiketju service to customer organisations, handle "
                        "deployments and main user accounts, and answer support requests.",
                    ),
                    legal_bases=("6-1-b", "6-1-f"),
                    legitimate_interest=T(
                        "Kun sopimus on asiakasorganisaation eikä sinun kanssasi, oikeutettu "
                        "etumme on hoitaa sopimus organisaation kanssa. Siihen tarvitsemme "
                        "organisaation yhteyshenkilöiden ja pääkäyttäjien tietoja.",
                        "Where the contract is with the customer organisation rather than with "
                        "you, our legitimate interest is to carry out that contract. For this we "
                        "need the data of the organisation's contact persons and main users.",
                    ),
                ),
                PurposeSpec(
                    name=T("Markkinointi ja myynti", "Marketing and sales"),
                    description=T(
                        "Kerromme Viestiketju-palvelusta organisaatioille, joille se sopii, "
                        "lähetämme uutiskirjeitä ja markkinointiviestejä työsähköpostiin ja "
                        "sovimme tapaamisia. Seuraamme, mitkä viestit kiinnostavat, jotta emme "
                        "lähetä turhia viestejä.",
                        "We tell organisations that it suits about the Viestiketju service, send "
                        "newsletters and marketing messages to work email addresses, and arrange "
                        "meetings. We follow which messages interest readers so that we do not "
                        "send needless ones.",
                    ),
                    legal_bases=("6-1-f",),
                    legitimate_interest=T(
                        "Oikeutettu etumme on markkinoida palveluamme organisaatioille. "
                        "Kohdistamme markkinoinnin henkilöihin, joiden työhön arviomme mukaan "
                        "kuuluu päättää tällaisista palveluista, ja kerromme jokaisessa "
                        "viestissä, miten voit kieltää markkinoinnin.",
                        "Our legitimate interest is to market our service to organisations. We "
                        "direct marketing at people whose work, as we judge it, includes "
                        "deciding on such services, and every message tells you how to refuse "
                        "further marketing.",
                    ),
                ),
                PurposeSpec(
                    name=T("Kirjanpitovelvoitteet", "Accounting obligations"),
                    description=T(
                        "Säilytämme laskut ja muun kirjanpitoaineiston kirjanpitolain "
                        "edellyttämällä tavalla.",
                        "We keep invoices and other accounting records as the Accounting Act "
                        "requires.",
                    ),
                    legal_bases=("6-1-c",),
                ),
                PurposeSpec(
                    name=T("Asiakasreferenssit", "Customer references"),
                    description=T(
                        "Julkaisemme verkkosivuillamme referenssiartikkeleita ja asiakkaiden "
                        "kommentteja sekä niihin liittyviä kuvia ja tallenteita, kun henkilö on "
                        "suostunut niihin.",
                        "We publish reference articles and customer comments on our website, "
                        "with the photos and recordings that go with them, when the person "
                        "concerned has agreed.",
                    ),
                    legal_bases=("6-1-a",),
                ),
                PurposeSpec(
                    name=T("Verkkosivuston kävijäanalytiikka", "Website visitor analytics"),
                    description=T(
                        "Kun hyväksyt evästeet, selvitämme, mitkä organisaatiot käyvät "
                        "sivustollamme ja mikä sisältö niitä kiinnostaa.",
                        "When you accept cookies, we find out which organisations visit our "
                        "website and what content interests them.",
                    ),
                    legal_bases=("6-1-a",),
                ),
            ),
            categories=(
                CategorySpec(
                    key="contact",
                    name=T("Yhteystiedot", "Contact details"),
                    description=T(
                        "Organisaatio, nimi, tehtävänimike, sähköpostiosoite ja puhelinnumero "
                        "sekä näiden muutokset.",
                        "Organisation, name, job title, email address and phone number, and "
                        "changes to them.",
                    ),
                ),
                CategorySpec(
                    key="marketing",
                    name=T("Markkinointiviestinnän tiedot", "Marketing communication data"),
                    description=T(
                        "Lähettämämme markkinointiviestit, tieto viestien avaamisesta ja "
                        "linkkien klikkaamisesta, kirjeenvaihto sekä markkinointikielto.",
                        "The marketing messages we have sent, whether they were opened and their "
                        "links clicked, correspondence, and any marketing objection.",
                    ),
                ),
                CategorySpec(
                    key="support",
                    name=T("Tukipyynnöt", "Support requests"),
                    description=T(
                        "Asiakastukeen lähetetyt viestit ja chat-keskustelut liitteineen.",
                        "Messages and chat conversations sent to our customer support, with "
                        "their attachments.",
                    ),
                ),
                CategorySpec(
                    key="notes",
                    name=T("Asiakkuuden muistiinpanot", "Customer notes"),
                    description=T(
                        "Muistiinpanot tapaamisista ja puheluista, uutiskirjeen tilaukset, "
                        "yhteydenottopyynnöt, osallistuminen tilaisuuksiin sekä tilatut "
                        "palvelut.",
                        "Notes of meetings and calls, newsletter subscriptions, contact "
                        "requests, attendance at events, and services ordered.",
                    ),
                ),
                CategorySpec(
                    key="invoicing",
                    name=T("Laskutustiedot", "Invoicing data"),
                    description=T(
                        "Asiakasorganisaation laskutus- ja perintätiedot sekä laskutuksesta "
                        "vastaavan henkilön yhteystiedot.",
                        "The customer organisation's invoicing and debt collection details, and "
                        "the contact details of the person responsible for invoicing.",
                    ),
                    groups=("admins",),
                ),
                CategorySpec(
                    key="contract",
                    name=T("Sopimustiedot", "Contract data"),
                    description=T(
                        "Tilatut tuotteet ja palvelut, niiden aloitus- ja päättymispäivät, myyjä "
                        "sekä sopimukseen liittyvä viestintä.",
                        "Products and services ordered, their start and end dates, the "
                        "salesperson, and communication relating to the contract.",
                    ),
                    groups=("admins",),
                ),
                CategorySpec(
                    key="accounts",
                    name=T("Käyttäjätunnukset", "User accounts"),
                    description=T(
                        "Asiakasorganisaation pääkäyttäjätunnukset ja muut tunnistautumistiedot.",
                        "The customer organisation's main user accounts and other "
                        "authentication data.",
                    ),
                    groups=("admins",),
                ),
                CategorySpec(
                    key="references",
                    name=T("Referenssisisällöt", "Reference content"),
                    description=T(
                        "Referenssiartikkelit ja kommentit sekä niihin liittyvät valokuvat, "
                        "video- ja äänitallenteet, jos olet suostunut osallistumaan niiden "
                        "tekemiseen.",
                        "Reference articles and comments, and the photos, video and audio "
                        "recordings that go with them, if you have agreed to take part in "
                        "making them.",
                    ),
                    groups=("admins",),
                ),
            ),
            sources=(
                SourceSpec(
                    name=T("Sinä itse", "You"),
                    description=T(
                        "Saamme tiedot sinulta, kun organisaatiosi ryhtyy asiakkaaksemme, "
                        "rekisteröidyt palveluun, täytät lomakkeen sivustollamme tai olet meihin "
                        "yhteydessä sähköpostilla, puhelimitse tai tapaamisessa.",
                        "We get the data from you when your organisation becomes our customer, "
                        "when you register for the service, fill in a form on our website, or "
                        "contact us by email, by phone or in a meeting.",
                    ),
                ),
                SourceSpec(
                    name=T("Julkiset lähteet", "Public sources"),
                    description=T(
                        "Tulevien asiakkaiden yhteyshenkilöiden nimet, tehtävät ja "
                        "työyhteystiedot keräämme organisaatioiden omilta verkkosivuilta ja "
                        "muista julkisista lähteistä.",
                        "We collect the names, roles and work contact details of prospective "
                        "customers' contact persons from the organisations' own websites and "
                        "other public sources.",
                    ),
                    is_public=True,
                ),
                SourceSpec(
                    name=T("Yhteystietojen välittäjä", "Contact data supplier"),
                    description=T(
                        "Ostamme markkinointia varten Yrityslista Oy:ltä kohderyhmäämme "
                        "kuuluvien organisaatioiden yhteystietolistoja.",
                        "For marketing, we buy lists of contact details of organisations in our "
                        "target group from Yrityslista Oy.",
                    ),
                ),
                SourceSpec(
                    name=T("Verkkosivuston kävijäanalytiikka", "Website visitor analytics"),
                    description=T(
                        "Kun hyväksyt evästeet, Visitlens Oy tunnistaa IP-osoitteesta "
                        "organisaation, jonka verkosta vierailet sivustollamme.",
                        "When you accept cookies, Visitlens Oy identifies from the IP address the "
                        "organisation whose network you visit our website from.",
                    ),
                ),
            ),
            recipients=(
                RecipientSpec(
                    name=T("Viranomaiset", "Authorities"),
                    description=T(
                        "Emme luovuta tietoja muille kuin käsittelijöillemme. Viranomaisille "
                        "annamme tietoja vain, kun laki sitä edellyttää.",
                        "We do not disclose the data to anyone other than our processors. We "
                        "give data to authorities only when the law requires it.",
                    ),
                ),
            ),
            processors=(
                UseSpec(
                    processor="Pipeline CRM Inc.",
                    processes=T(
                        "Yhteyshenkilöiden yhteystiedot, asiakkuuden muistiinpanot ja "
                        "markkinointiviestinnän tiedot.",
                        "Contact persons' contact details, customer notes and marketing "
                        "communication data.",
                    ),
                ),
                UseSpec(
                    processor="Workdesk Cloud Inc.",
                    processes=T(
                        "Asiakkuuksiin liittyvä sähköposti, kalenterimerkinnät ja tiedostot.",
                        "Email, calendar entries and files relating to customers.",
                    ),
                ),
                UseSpec(
                    processor="Sopimusarkisto Oy",
                    processes=T(
                        "Sopimukset ja niissä olevat yhteyshenkilöiden tiedot.",
                        "Contracts and the contact persons' details in them.",
                    ),
                ),
                UseSpec(
                    processor="Suosittelija Oy",
                    processes=T(
                        "Referenssiartikkelit ja kommentit sekä niihin liittyvät kuva- ja "
                        "äänitallenteet.",
                        "Reference articles and comments, and the image and audio recordings "
                        "that go with them.",
                    ),
                ),
                UseSpec(
                    processor="Talouspilvi Oy",
                    processes=T(
                        "Asiakasorganisaatioiden laskutustiedot ja laskutuksen yhteyshenkilöt.",
                        "Customer organisations' invoicing data and invoicing contacts.",
                    ),
                ),
                UseSpec(
                    processor="Visitlens Oy",
                    processes=T(
                        "Verkkosivuston kävijätiedot ja niistä tunnistetut organisaatiot, kun "
                        "olet hyväksynyt evästeet.",
                        "Website visit data and the organisations identified from it, once you "
                        "have accepted cookies.",
                    ),
                ),
            ),
            transfers=(
                TransferSpec(
                    processor="Pipeline CRM Inc.",
                    country="US",
                    safeguard=Transfer.Safeguard.DPF,
                    copy_info=T(
                        "Pipeline CRM Inc. on sitoutunut EU:n ja Yhdysvaltojen väliseen "
                        "tietosuojakehykseen. Sitoutuneet yritykset on lueteltu osoitteessa "
                        "https://www.dataprivacyframework.gov, ja lisätietoja saat "
                        "tietosuojavastaavaltamme.",
                        "Pipeline CRM Inc. is certified under the EU–US Data Privacy Framework. "
                        "Certified companies are listed at https://www.dataprivacyframework.gov, "
                        "and our data protection officer gives you more information.",
                    ),
                ),
                TransferSpec(
                    processor="Workdesk Cloud Inc.",
                    country="US",
                    safeguard=Transfer.Safeguard.DPF,
                    copy_info=T(
                        "Workdesk Cloud Inc. on sitoutunut EU:n ja Yhdysvaltojen väliseen "
                        "tietosuojakehykseen. Sitoutuneet yritykset on lueteltu osoitteessa "
                        "https://www.dataprivacyframework.gov, ja lisätietoja saat "
                        "tietosuojavastaavaltamme.",
                        "Workdesk Cloud Inc. is certified under the EU–US Data Privacy "
                        "Framework. Certified companies are listed at "
                        "https://www.dataprivacyframework.gov, and our data protection officer "
                        "gives you more information.",
                    ),
                ),
            ),
            retention=(
                RetentionSpec(
                    criteria=T(
                        "Käsittelemme tietoja niin kauan kuin asiakassuhde on voimassa tai "
                        "pidämme yhteyttä organisaatioosi. Arvioimme kerran vuodessa, ovatko "
                        "tiedot yhä tarpeellisia ja ajan tasalla, ja poistamme vanhentuneet ja "
                        "tarpeettomat yhteystiedot.",
                        "We process the data for as long as the customer relationship lasts or "
                        "we are in contact with your organisation. Once a year we assess whether "
                        "the data is still needed and up to date, and we delete outdated and "
                        "unneeded contact details.",
                    ),
                ),
                RetentionSpec(
                    category="support",
                    criteria=T(
                        "Säilytämme tukipyynnöt kaksi vuotta niiden ratkaisemisesta, jotta "
                        "näemme, miten sama ongelma on ratkaistu aiemmin.",
                        "We keep support requests for two years after they are resolved, so that "
                        "we can see how the same problem was solved before.",
                    ),
                ),
                RetentionSpec(
                    category="invoicing",
                    criteria=T(
                        "Säilytämme laskutustiedot kuusi vuotta sen vuoden lopusta, jona "
                        "tilikausi päättyi, kuten kirjanpitolaki edellyttää.",
                        "We keep invoicing data for six years from the end of the year in which "
                        "the financial year ended, as the Accounting Act requires.",
                    ),
                ),
                RetentionSpec(
                    category="contract",
                    criteria=T(
                        "Säilytämme sopimustiedot sopimuksen voimassaolon ajan ja kolme vuotta "
                        "sen päättymisestä, jotta voimme selvittää sopimukseen liittyvät "
                        "vaatimukset.",
                        "We keep contract data while the contract lasts and for three years "
                        "after it ends, so that we can settle claims relating to the contract.",
                    ),
                ),
                RetentionSpec(
                    category="references",
                    criteria=T(
                        "Pidämme referenssisisällöt julkaistuina, kunnes peruutat "
                        "suostumuksesi, ja poistamme ne kuukauden kuluessa peruutuksesta.",
                        "We keep reference content published until you withdraw your consent, "
                        "and we delete it within one month of the withdrawal.",
                    ),
                ),
            ),
            security=(
                SecuritySpec(
                    kind=SecurityMeasure.Kind.MANUAL,
                    description=T(
                        "Emme säilytä asiakastietoja paperilla. Tapaamisissa tehdyt "
                        "paperimuistiinpanot siirrämme asiakkuudenhallintajärjestelmään ja "
                        "hävitämme paperit tietoturvallisesti.",
                        "We do not keep customer data on paper. We transfer paper notes from "
                        "meetings into the CRM system and destroy the paper securely.",
                    ),
                ),
                SecuritySpec(
                    kind=SecurityMeasure.Kind.ELECTRONIC,
                    description=T(
                        "Tiedot ovat omissa ja palveluntarjoajiemme järjestelmissä, ja yhteydet "
                        "niihin on salattu. Jokaisella käyttäjällä on henkilökohtainen tunnus, "
                        "salasana ja kaksivaiheinen tunnistautuminen, ja tietoihin pääsevät vain "
                        "ne, jotka tarvitsevat niitä työssään. Tukipyynnöt säilytämme omilla "
                        "palvelimillamme Suomessa.",
                        "The data is in our own systems and those of our service providers, and "
                        "connections to them are encrypted. Each user has a personal username, "
                        "password and two-factor authentication, and only those who need the "
                        "data for their work can access it. We keep support requests on our own "
                        "servers in Finland.",
                    ),
                ),
                SecuritySpec(
                    kind=SecurityMeasure.Kind.ORGANISATIONAL,
                    description=T(
                        "Henkilöstömme on perehdytetty tietosuojalainsäädäntöön ja "
                        "tietoturvaan. Jokaisen käsittelijän kanssa on sopimus henkilötietojen "
                        "käsittelystä, eikä yksikään niistä käytä tietoja omiin tarkoituksiinsa.",
                        "Our staff are trained in data protection law and information security. "
                        "We have a data processing agreement with every processor, and none of "
                        "them uses the data for its own purposes.",
                    ),
                ),
            ),
            cookies=(
                CookieSpec(
                    name="sessionid",
                    provider="Sovellustalo Oy",
                    category=Cookie.Category.NECESSARY,
                    purpose=T(
                        "Pitää kirjautumisen ja lomakkeen tiedot yllä käynnin ajan.",
                        "Keeps your sign-in and form data during the visit.",
                    ),
                    duration=SESSION,
                    consent_required=False,
                ),
                CookieSpec(
                    name="cookie_consent",
                    provider="Sovellustalo Oy",
                    category=Cookie.Category.NECESSARY,
                    purpose=CONSENT_COOKIE_PURPOSE,
                    duration=TWELVE_MONTHS,
                    consent_required=False,
                ),
                CookieSpec(
                    name="_st_id",
                    provider="Sovellustalo Oy",
                    category=Cookie.Category.STATISTICS,
                    purpose=T(
                        "Laskee käynnit ja katsotut sivut omalla palvelimellamme olevassa "
                        "tilastopalvelussa.",
                        "Counts visits and pages viewed in the statistics service on our own "
                        "server.",
                    ),
                    duration=THIRTEEN_MONTHS,
                ),
                CookieSpec(
                    name="_vl_org",
                    provider="Visitlens Oy",
                    category=Cookie.Category.MARKETING,
                    purpose=T(
                        "Tunnistaa organisaation, jonka verkosta vierailet sivustolla, "
                        "markkinointimme kohdentamista varten.",
                        "Identifies the organisation whose network you visit the site from, to "
                        "target our marketing.",
                    ),
                    duration=T("2 vuotta", "2 years"),
                ),
            ),
            rights=(
                RightSpec(
                    code="access",
                    text=T(
                        "Voit tarkastaa, mitä tietoja sinusta on järjestelmissämme, ja saada "
                        "niistä jäljennöksen. Tarkastus on maksuton kerran vuodessa; jos pyydät "
                        "jäljennöstä useammin, perimme hallinnollisiin kuluihin perustuvan "
                        "kohtuullisen maksun.",
                        "You can check what data about you is in our systems and get a copy of "
                        "it. A check is free of charge once a year; if you ask for a copy more "
                        "often, we charge a reasonable fee based on our administrative costs.",
                    ),
                ),
                RightSpec(
                    code="erasure",
                    text=T(
                        "Voit pyytää tietojesi poistamista, kun emme enää tarvitse niitä siihen "
                        "tarkoitukseen, jota varten ne kerättiin. Jos haluat, ettei sinulle enää "
                        "markkinoida, suosittelemme poiston sijaan tai lisäksi "
                        "markkinointikieltoa: poistettuja tietoja emme tunnista, joten jos "
                        "keräämme yhteystietosi myöhemmin uudelleen julkisista lähteistä, emme "
                        "tiedä poistopyynnöstäsi. Markkinointikielto jää rekisteriin ja estää "
                        "tämän.",
                        "You can ask us to erase your data when we no longer need it for the "
                        "purpose for which it was collected. If you want our marketing to stop, "
                        "we recommend a marketing objection instead of or as well as erasure: we "
                        "cannot recognise erased data, so if we later collect your contact "
                        "details again from public sources, we do not know you asked for "
                        "erasure. A marketing objection stays in the register and prevents this.",
                    ),
                ),
                RightSpec(
                    code="portability",
                    text=T(
                        "Oikeus siirtää tiedot koskee tietoja, jotka olet antanut meille "
                        "suostumuksellasi, kuten referenssisisältöjä. Saat ne koneluettavassa "
                        "muodossa ja voit siirtää ne toiselle rekisterinpitäjälle.",
                        "The right to data portability covers data you have given us with your "
                        "consent, such as reference content. You receive it in a machine-readable "
                        "format and can transfer it to another controller.",
                    ),
                ),
            ),
        ),
    ),
)


# --- Hyvinvointivirta Oy: modelled on Wellflix Oy ---------------------------------

HYVINVOINTI = CompanySpec(
    slug="hyvinvointi",
    name="Hyvinvointivirta Oy",
    business_id="9000004-6",
    street_address="Esimerkkitie 14",
    postal_code="02150",
    city="Espoo",
    phone="+358 40 000 0301",
    email="info@hyvinvointi.example.com",
    website="https://www.hyvinvointi.example.com",
    brand_color="#b03a2e",
    contacts=(
        ContactSpec(
            name="Aino Esimerkki",
            title=T("asiakkuuspäällikkö", "Customer Relations Manager"),
            email="aino.esimerkki@hyvinvointi.example.com",
            phone="+358 40 000 0302",
        ),
    ),
    processors=(
        ProcessorSpec(
            name="Tilitoimisto Saldo Oy",
            service=T("Taloushallinto ja laskutus", "Financial administration and invoicing"),
            country="FI",
        ),
        ProcessorSpec(
            name="Striimitalo Oy",
            service=T(
                "Videopalvelun alusta ja asiakastilit", "Video platform and customer accounts"
            ),
            country="FI",
            website="https://www.striimitalo.example.com",
        ),
        ProcessorSpec(
            name="Kävijäluku Oy",
            service=T("Verkkosivuston kävijätilastot", "Website visitor statistics"),
            country="FI",
        ),
    ),
    registers=(
        RegisterSpec(
            slug="asiakasrekisteri",
            name=T("Asiakasrekisteri", "Customer register"),
            introduction=T(
                "Tässä selosteessa kerromme, miten Hyvinvointivirta Oy käsittelee "
                "Virta-verkkopalvelunsa asiakkaiden henkilötietoja: mitä tietoja keräämme, "
                "mihin käytämme niitä, kuinka kauan säilytämme niitä ja miten voit käyttää "
                "oikeuksiasi.",
                "This notice explains how Hyvinvointivirta Oy processes the personal data of "
                "the customers of its Virta online service: what data we collect, what we use "
                "it for, how long we keep it and how you can use your rights.",
            ),
            contact="Aino Esimerkki",
            data_origin=Register.DataOrigin.BOTH,
            statutory_requirement=T(
                "Laki ei velvoita antamaan tietoja, mutta nimi, sähköpostiosoite ja "
                "laskutustiedot ovat edellytys tilaussopimukselle. Ilman niitä emme voi avata "
                "sinulle tiliä palveluun.",
                "The law does not require you to give the data, but your name, email address "
                "and invoicing details are needed for the subscription contract. Without them we "
                "cannot open an account for you.",
            ),
            automated_decisions=NO_AUTOMATED_DECISIONS,
            cookies_info=T(
                "Eväste on pieni tekstitiedosto, jonka sivusto tallentaa selaimeesi. "
                "Kirjautumiseen tarvittava istuntoeväste on välttämätön: ilman sitä et voi "
                "kirjautua etkä katsoa ohjelmia. Tilasto- ja asetusevästeet otamme käyttöön "
                "vain suostumuksellasi, ja voit perua suostumuksen milloin tahansa sivun "
                "alareunan Evästeasetukset-linkistä. Voit myös estää ja poistaa evästeet "
                "selaimesi asetuksista.",
                "A cookie is a small text file that a website stores in your browser. The "
                "session cookie used for signing in is strictly necessary: without it you cannot "
                "sign in or watch programmes. We use statistics and preference cookies only with "
                "your consent, and you can withdraw it at any time with the Cookie settings link "
                "at the bottom of the page. You can also block and delete cookies in your "
                "browser settings.",
            ),
            rights_exercise=T(
                "Ota yhteyttä asiakaspalveluumme tai rekisterin yhteyshenkilöön, jonka tiedot "
                "ovat selosteen alussa. Tunnistamme sinut asiakastilisi tietojen avulla ja "
                "pyydämme tarvittaessa lisätietoja. Vastaamme kuukauden kuluessa. Jos emme "
                "hyväksy pyyntöäsi, kerromme perustelut kirjallisesti, ja voit viedä asian "
                "tietosuojavaltuutetulle.",
                "Contact our customer service or the register's contact person, whose details "
                "are at the start of this notice. We identify you from the details of your "
                "customer account and ask for more information where needed. We answer within "
                "one month. If we do not accept your request, we give our reasons in writing, "
                "and you can take the matter to the Data Protection Ombudsman.",
            ),
            groups=(
                GroupSpec(
                    key="customers",
                    name=T("Asiakkaat", "Customers"),
                    description=T(
                        "Virta-palvelun tilaajat sekä yritysasiakkaiden yhteyshenkilöt.",
                        "Subscribers to the Virta service and the contact persons of business "
                        "customers.",
                    ),
                ),
            ),
            purposes=(
                PurposeSpec(
                    name=T(
                        "Asiakassuhteen ja tilausten hoitaminen",
                        "Managing the customer relationship and subscriptions",
                    ),
                    description=T(
                        "Pidämme asiakasrekisteriä, käsittelemme tilauksesi ja maksusi, avaamme "
                        "käyttäjätilisi ja hoidamme asiakaspalvelun.",
                        "We keep the customer register, process your subscription and payments, "
                        "open your user account and provide customer service.",
                    ),
                    legal_bases=("6-1-b",),
                ),
                PurposeSpec(
                    name=T(
                        "Sisältösuositukset palvelussa", "Content recommendations in the service"
                    ),
                    description=T(
                        "Suosittelemme palvelussa ohjelmia aiemmin katsomiesi ohjelmien "
                        "perusteella. Suositukset kuuluvat tilaamaasi palveluun.",
                        "We recommend programmes in the service based on the programmes you have "
                        "watched before. Recommendations are part of the service you subscribe "
                        "to.",
                    ),
                    legal_bases=("6-1-b",),
                ),
                PurposeSpec(
                    name=T(
                        "Palvelun kehittäminen ja tilastointi",
                        "Developing the service and statistics",
                    ),
                    description=T(
                        "Laskemme palvelun käytöstä koottuja tilastoja, esimerkiksi "
                        "suosituimmat ohjelmat, ja kehitämme palvelua niiden perusteella.",
                        "We compile aggregated statistics on the use of the service, such as the "
                        "most popular programmes, and develop the service on that basis.",
                    ),
                    legal_bases=("6-1-f",),
                    legitimate_interest=T(
                        "Oikeutettu etumme on kehittää palveluamme asiakkaidemme toiveiden "
                        "mukaiseksi. Käytämme tähän koottuja tilastoja, joista yksittäistä "
                        "asiakasta ei tunnista.",
                        "Our legitimate interest is to develop our service to match our "
                        "customers' wishes. For this we use aggregated statistics that do not "
                        "identify individual customers.",
                    ),
                ),
                PurposeSpec(
                    name=T("Suoramarkkinointi asiakkaillemme", "Direct marketing to our customers"),
                    description=T(
                        "Kerromme asiakkaillemme sähköpostilla uusista ohjelmista ja "
                        "tarjouksista. Voit kieltää markkinoinnin jokaisen viestin lopussa "
                        "olevasta linkistä tai ilmoittamalla siitä asiakaspalveluumme.",
                        "We tell our customers about new programmes and offers by email. You can "
                        "refuse marketing with the link at the end of every message or by "
                        "telling our customer service.",
                    ),
                    legal_bases=("6-1-f",),
                    legitimate_interest=T(
                        "Oikeutettu etumme on kertoa nykyisille asiakkaillemme omista "
                        "palveluistamme, jotka vastaavat tilattua palvelua. Laki sallii tämän, "
                        "kun asiakas voi kieltää markkinoinnin helposti ja maksutta.",
                        "Our legitimate interest is to tell our existing customers about our own "
                        "services similar to the one they subscribe to. The law allows this when "
                        "the customer can refuse marketing easily and free of charge.",
                    ),
                ),
                PurposeSpec(
                    name=T("Kirjanpito", "Accounting"),
                    description=T(
                        "Säilytämme laskut ja maksutiedot kirjanpitolain mukaisesti.",
                        "We keep invoices and payment details as the Accounting Act requires.",
                    ),
                    legal_bases=("6-1-c",),
                ),
            ),
            categories=(
                CategorySpec(
                    key="contact",
                    name=T("Perustiedot ja yhteystiedot", "Basic and contact details"),
                    description=T(
                        "Etu- ja sukunimi, edustamasi yritys tai yhteisö, sähköpostiosoite, "
                        "postiosoite, puhelinnumero ja verkkosivuston osoite.",
                        "First and last name, the company or organisation you represent, email "
                        "address, postal address, phone number and website address.",
                    ),
                ),
                CategorySpec(
                    key="invoicing",
                    name=T("Laskutustiedot", "Invoicing details"),
                    description=T(
                        "Laskutusosoite, maksutapa sekä laskut ja maksut. Maksukorttien tietoja "
                        "emme tallenna.",
                        "Invoicing address, payment method, and invoices and payments. We do not "
                        "store payment card details.",
                    ),
                ),
                CategorySpec(
                    key="subscriptions",
                    name=T("Tilaustiedot", "Subscription data"),
                    description=T(
                        "Nykyinen tilaus ja sen voimassaolo sekä aiemmat tilaukset.",
                        "Your current subscription and its validity, and earlier subscriptions.",
                    ),
                ),
                CategorySpec(
                    key="usage",
                    name=T("Palvelun käyttötiedot", "Service usage data"),
                    description=T(
                        "Katsotut ohjelmat sekä kirjautumisten IP-osoitteet ja ajankohdat.",
                        "Programmes watched, and the IP addresses and times of sign-ins.",
                    ),
                ),
            ),
            sources=(
                SourceSpec(
                    name=T("Sinä itse", "You"),
                    description=T(
                        "Saamme tiedot sinulta, kun rekisteröidyt palveluun, teet tilauksen tai "
                        "kerrot meille muutoksista asiakassuhteen aikana.",
                        "We get the data from you when you register for the service, place an "
                        "order or tell us about changes during the customer relationship.",
                    ),
                ),
                SourceSpec(
                    name=T("Osoitteenpäivityspalvelut", "Address update services"),
                    description=T(
                        "Päivitämme nimi- ja osoitetietoja Digi- ja väestötietoviraston "
                        "väestötietojärjestelmästä ja osoitepalveluja tarjoavilta yrityksiltä.",
                        "We update names and addresses from the Population Information System of "
                        "the Digital and Population Data Services Agency and from companies that "
                        "provide address update services.",
                    ),
                ),
                SourceSpec(
                    name=T("Palvelun käyttö", "Use of the service"),
                    description=T(
                        "Käyttötiedot syntyvät, kun käytät palvelua.",
                        "Usage data is created when you use the service.",
                    ),
                ),
            ),
            recipients=(
                RecipientSpec(
                    name=T("Perintätoimisto", "Debt collection agency"),
                    description=T(
                        "Jos lasku jää maksamatta muistutuksesta huolimatta, luovutamme "
                        "perintään tarvittavat tiedot perintätoimistolle.",
                        "If an invoice remains unpaid despite a reminder, we disclose the data "
                        "needed for collection to a debt collection agency.",
                    ),
                    is_regular_disclosure=True,
                ),
                RecipientSpec(
                    name=T("Viranomaiset", "Authorities"),
                    description=T(
                        "Annamme tietoja viranomaisille, kun laki sitä edellyttää.",
                        "We give data to authorities when the law requires it.",
                    ),
                ),
            ),
            processors=(
                UseSpec(
                    processor="Tilitoimisto Saldo Oy",
                    processes=T(
                        "Laskutustiedot sekä asiakkaiden nimet ja osoitteet laskuja varten.",
                        "Invoicing details, and customers' names and addresses for the invoices.",
                    ),
                ),
                UseSpec(
                    processor="Striimitalo Oy",
                    processes=T(
                        "Käyttäjätilit, tilaustiedot ja palvelun käyttötiedot.",
                        "User accounts, subscription data and service usage data.",
                    ),
                ),
                UseSpec(
                    processor="Kävijäluku Oy",
                    processes=T(
                        "Verkkosivuston käyttötiedot, kun olet hyväksynyt tilastoevästeet.",
                        "Website usage data, once you have accepted statistics cookies.",
                    ),
                ),
            ),
            retention=(
                RetentionSpec(
                    period=10,
                    period_unit=RetentionRule.Unit.YEARS,
                    starting_event=T(
                        "asiakkuuden päättymisestä", "the end of the customer relationship"
                    ),
                    criteria=T(
                        "Jos pyydät tietojesi poistamista aiemmin, poistamme ne, ellei laki, "
                        "maksamaton lasku tai vireillä oleva perintä edellytä niiden "
                        "säilyttämistä.",
                        "If you ask us to erase your data earlier, we erase it unless the law, an "
                        "unpaid invoice or pending debt collection requires us to keep it.",
                    ),
                ),
            ),
            security=(
                SecuritySpec(
                    kind=SecurityMeasure.Kind.MANUAL,
                    description=T(
                        "Esimerkiksi messuilla täytetyt paperilomakkeet viemme asiakasrekisteriin "
                        "viikon kuluessa ja säilytämme ne sen jälkeen lukitussa, "
                        "paloturvallisessa kaapissa. Kaappiin pääsevät vain nimetyt "
                        "työntekijät, jotka ovat sitoutuneet salassapitoon.",
                        "Paper forms filled in, for example, at fairs are entered in the "
                        "customer register within a week and then kept in a locked, fire-safe "
                        "cabinet. Only named employees who have committed to confidentiality can "
                        "open it.",
                    ),
                ),
                SecuritySpec(
                    kind=SecurityMeasure.Kind.ELECTRONIC,
                    description=T(
                        "Asiakasrekisteriä käyttävät vain ne meidän ja käsittelijöidemme "
                        "työntekijät, joiden tehtäviin se kuuluu. Jokaisella on oma "
                        "käyttäjätunnus ja salasana, ja jokainen on sitoutunut salassapitoon. "
                        "Järjestelmä on suojattu palomuurilla, ja yhteydet siihen on salattu.",
                        "Only the employees of our company and our processors whose tasks "
                        "require it use the customer register. Each has their own username and "
                        "password, and each has committed to confidentiality. The system is "
                        "protected by a firewall, and connections to it are encrypted.",
                    ),
                ),
            ),
            cookies=(
                CookieSpec(
                    name="sessionid",
                    provider="Hyvinvointivirta Oy",
                    category=Cookie.Category.NECESSARY,
                    purpose=T(
                        "Pitää sinut kirjautuneena palveluun.",
                        "Keeps you signed in to the service.",
                    ),
                    duration=SESSION,
                    consent_required=False,
                ),
                CookieSpec(
                    name="_kl_id",
                    provider="Kävijäluku Oy",
                    category=Cookie.Category.STATISTICS,
                    purpose=T(
                        "Erottaa kävijät toisistaan kävijätilastoja varten: käyntien ajankohta, "
                        "selatut sivut, katseluajat ja selaimen tyyppi.",
                        "Tells visitors apart for visitor statistics: time of visits, pages "
                        "browsed, viewing times and browser type.",
                    ),
                    duration=THIRTEEN_MONTHS,
                ),
                CookieSpec(
                    name="player_prefs",
                    provider="Hyvinvointivirta Oy",
                    category=Cookie.Category.PREFERENCES,
                    purpose=T(
                        "Muistaa videosoittimen äänenvoimakkuuden ja kuvanlaadun.",
                        "Remembers the video player's volume and picture quality.",
                    ),
                    duration=TWELVE_MONTHS,
                ),
            ),
            rights=(
                RightSpec(
                    code="access",
                    text=T(
                        "Voit tarkistaa, mitä tietoja sinusta on asiakasrekisterissä. Lähetä "
                        "tarkastuspyyntö suomeksi tai englanniksi asiakaspalveluumme tai "
                        "rekisterin yhteyshenkilölle.",
                        "You can check what data about you is in the customer register. Send "
                        "your request in Finnish or English to our customer service or to the "
                        "register's contact person.",
                    ),
                ),
                RightSpec(
                    code="rectification",
                    text=T(
                        "Jos tietosi ovat virheellisiä tai vanhentuneita, kerro meille, mitkä "
                        "tiedot pitää korjata ja miksi. Korjaamme ne viipymättä ja ilmoitamme "
                        "korjauksesta myös niille, joille olemme luovuttaneet tiedot.",
                        "If your data is wrong or out of date, tell us which data needs "
                        "correcting and why. We correct it without delay and also tell those to "
                        "whom we have disclosed the data.",
                    ),
                ),
                # No purpose of this register rests on consent; cookie consent is explained
                # in the cookie section.
                RightSpec(code="withdraw_consent", included=False),
            ),
        ),
    ),
)

COMPANIES: tuple[CompanySpec, ...] = (TURVARATKAISU, SOVELLUSTALO, HYVINVOINTI)


# --- Loading ------------------------------------------------------------------------


class DemoConflict(Exception):
    """A controller that is not the demo company holds a demo company's slug or business ID."""

    def __init__(self, spec: CompanySpec) -> None:
        super().__init__(f"{spec.slug} / {spec.business_id}")
        self.slug = spec.slug
        self.business_id = spec.business_id


@dataclass(frozen=True)
class Login:
    """A demo login as printed for the person trying the service."""

    username: str
    password: str
    role: str  # a Membership.Role value, or "superuser"
    company: str = ""  # empty for the superuser, who sees every company


@dataclass
class DemoCompany:
    """A demo controller and the registers created for it."""

    controller: Controller
    registers: list[Register] = field(default_factory=list)


@dataclass
class DemoResult:
    """What ``load_demo`` created: companies with their registers, and the logins."""

    companies: list[DemoCompany] = field(default_factory=list)
    logins: list[Login] = field(default_factory=list)

    @property
    def registers(self) -> list[Register]:
        return [register for company in self.companies for register in company.registers]


def load_demo() -> DemoResult:
    """Create or refresh the demo companies, their registers and the demo logins.

    Runs in one transaction. Each demo company is looked up by slug; its
    registers (with anything published for them), processors and contact
    persons are deleted and created again,
    so a second run gives the same state as the first. Every object is
    validated with ``full_clean()`` before it is saved.

    Raises DemoConflict, before changing anything, if a controller other than
    a demo company uses a demo company's slug or business ID.
    """
    # The untranslated model fields take the Finnish value, as in the admin.
    with transaction.atomic(), translation.override("fi"):
        for spec in COMPANIES:
            _check_no_conflict(spec)
        result = DemoResult()
        result.logins.append(_ensure_superuser())
        for spec in COMPANIES:
            company = _load_company(spec)
            result.companies.append(company)
            result.logins.extend(_ensure_company_users(company.controller))
        return result


def _clean_save(obj: ModelT) -> ModelT:
    obj.full_clean()
    obj.save()
    return obj


def _check_no_conflict(spec: CompanySpec) -> None:
    """A demo company is recognised by its slug and business ID together; never touch others."""
    same_slug = Controller.objects.filter(slug=spec.slug).exclude(business_id=spec.business_id)
    same_id = Controller.objects.filter(business_id=spec.business_id).exclude(slug=spec.slug)
    if same_slug.exists() or same_id.exists():
        raise DemoConflict(spec)


def _reset(controller: Controller) -> None:
    """Delete the company's registers with their published versions, processors and contacts.

    Registers go first: their parts protect the processors and contact persons.
    The published PDFs are removed from storage only once the transaction commits.
    """
    versions = NoticeVersion.objects.filter(register__controller=controller)
    pdfs = list(
        NoticeRendering.objects.filter(version__in=versions)
        .exclude(pdf="")
        .values_list("pdf", flat=True)
    )
    versions.delete()
    transaction.on_commit(partial(_delete_stored_files, pdfs))
    Register.objects.filter(controller=controller).delete()
    Processor.objects.filter(controller=controller).delete()
    ContactPerson.objects.filter(controller=controller).delete()


def _delete_stored_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _load_company(spec: CompanySpec) -> DemoCompany:
    controller = Controller.objects.filter(slug=spec.slug).first() or Controller(slug=spec.slug)
    controller.name = spec.name
    controller.business_id = spec.business_id
    controller.street_address = spec.street_address
    controller.postal_code = spec.postal_code
    controller.city = spec.city
    controller.phone = spec.phone
    controller.email = spec.email
    controller.website = spec.website
    controller.brand_color = spec.brand_color
    controller.dpo_name = spec.dpo_name
    controller.dpo_email = spec.dpo_email
    controller.dpo_phone = spec.dpo_phone
    controller.embed_origins = ""
    for attr, value in tr(country=FINLAND, representative=None).items():
        setattr(controller, attr, value)
    _clean_save(controller)
    _reset(controller)

    contacts = {
        contact.name: _clean_save(
            ContactPerson(
                controller=controller,
                name=contact.name,
                email=contact.email,
                phone=contact.phone,
                **tr(title=contact.title),
            )
        )
        for contact in spec.contacts
    }
    processors = {
        processor.name: _clean_save(
            Processor(
                controller=controller,
                name=processor.name,
                country=processor.country,
                website=processor.website,
                **tr(service=processor.service),
            )
        )
        for processor in spec.processors
    }
    company = DemoCompany(controller=controller)
    for register_spec in spec.registers:
        company.registers.append(
            _load_register(controller, register_spec, contacts=contacts, processors=processors)
        )
    return company


def _load_register(
    controller: Controller,
    spec: RegisterSpec,
    *,
    contacts: dict[str, ContactPerson],
    processors: dict[str, Processor],
) -> Register:
    register = _clean_save(
        Register(
            controller=controller,
            slug=spec.slug,
            contact_person=contacts[spec.contact],
            data_origin=spec.data_origin,
            has_automated_decisions=False,
            no_recipients=not spec.recipients,
            no_transfers=not spec.transfers,
            publish_in_english=True,
            **tr(
                name=spec.name,
                introduction=spec.introduction,
                statutory_requirement=spec.statutory_requirement,
                automated_decisions=spec.automated_decisions,
                cookies_info=spec.cookies_info,
                rights_exercise=spec.rights_exercise,
            ),
        )
    )

    groups = {
        group.key: _clean_save(
            DataSubjectGroup(
                register=register,
                order=order,
                **tr(name=group.name, description=group.description),
            )
        )
        for order, group in enumerate(spec.groups, start=1)
    }

    bases = {basis.code: basis for basis in LegalBasis.objects.all()}
    for order, purpose_spec in enumerate(spec.purposes, start=1):
        purpose = _clean_save(
            Purpose(
                register=register,
                order=order,
                **tr(
                    name=purpose_spec.name,
                    description=purpose_spec.description,
                    legitimate_interest=purpose_spec.legitimate_interest,
                ),
            )
        )
        purpose.legal_bases.set([bases[code] for code in purpose_spec.legal_bases])

    categories: dict[str, DataCategory] = {}
    for order, category_spec in enumerate(spec.categories, start=1):
        category = _clean_save(
            DataCategory(
                register=register,
                order=order,
                is_special=category_spec.is_special,
                **tr(name=category_spec.name, description=category_spec.description),
            )
        )
        category.subject_groups.set([groups[key] for key in category_spec.groups])
        categories[category_spec.key] = category

    for order, source in enumerate(spec.sources, start=1):
        _clean_save(
            Source(
                register=register,
                order=order,
                is_public=source.is_public,
                **tr(name=source.name, description=source.description),
            )
        )

    for order, recipient in enumerate(spec.recipients, start=1):
        _clean_save(
            Recipient(
                register=register,
                order=order,
                is_regular_disclosure=recipient.is_regular_disclosure,
                **tr(name=recipient.name, description=recipient.description),
            )
        )

    for order, use in enumerate(spec.processors, start=1):
        _clean_save(
            RegisterProcessor(
                register=register,
                processor=processors[use.processor],
                order=order,
                **tr(processes=use.processes),
            )
        )

    for order, transfer in enumerate(spec.transfers, start=1):
        _clean_save(
            Transfer(
                register=register,
                order=order,
                country=transfer.country,
                processor=processors[transfer.processor] if transfer.processor else None,
                safeguard=transfer.safeguard,
                **tr(recipient=transfer.recipient, copy_info=transfer.copy_info),
            )
        )

    for order, rule in enumerate(spec.retention, start=1):
        _clean_save(
            RetentionRule(
                register=register,
                order=order,
                data_category=categories[rule.category] if rule.category else None,
                period=rule.period,
                period_unit=rule.period_unit,
                **tr(starting_event=rule.starting_event, criteria=rule.criteria),
            )
        )

    for order, measure in enumerate(spec.security, start=1):
        _clean_save(
            SecurityMeasure(
                register=register,
                order=order,
                kind=measure.kind,
                **tr(description=measure.description),
            )
        )

    for order, cookie in enumerate(spec.cookies, start=1):
        _clean_save(
            Cookie(
                register=register,
                order=order,
                name=cookie.name,
                provider=cookie.provider,
                category=cookie.category,
                consent_required=cookie.consent_required,
                **tr(purpose=cookie.purpose, duration=cookie.duration),
            )
        )

    services.register_add_default_rights(register=register)
    for change in spec.rights:
        register_right = register.rights.select_related("right").get(right__code=change.code)
        register_right.included = change.included
        for attr, value in tr(text=change.text).items():
            setattr(register_right, attr, value)
        _clean_save(register_right)

    return register


def _ensure_user(
    username: str, *, email: str, password: str, superuser: bool = False
) -> AbstractUser:
    """Create a demo staff user, or reset an existing one to its demo state."""
    user, _created = get_user_model().objects.get_or_create(username=username)
    user.email = email
    user.is_active = True
    user.is_staff = True
    user.is_superuser = superuser
    user.set_password(password)
    user.save()
    return user


def _ensure_superuser() -> Login:
    password = demo_password(SUPERUSER_NAME)
    _ensure_user(
        SUPERUSER_NAME, email=f"{SUPERUSER_NAME}@example.com", password=password, superuser=True
    )
    return Login(username=SUPERUSER_NAME, password=password, role="superuser")


def _ensure_company_users(controller: Controller) -> list[Login]:
    """One editor and one publisher for ``controller``: ``editor-<slug>``, ``publisher-<slug>``."""
    password = demo_password(controller.slug)
    logins = []
    for role in (Membership.Role.EDITOR, Membership.Role.PUBLISHER):
        username = f"{role.value}-{controller.slug}"
        user = _ensure_user(
            username, email=f"{role.value}@{controller.slug}.example.com", password=password
        )
        Membership.objects.update_or_create(
            user=user, controller=controller, defaults={"role": role.value}
        )
        logins.append(
            Login(username=username, password=password, role=role.value, company=controller.name)
        )
    return logins


# Dates of the demo's two published versions, so the change log reads like a real one.
DEMO_FIRST_PUBLISHED = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
DEMO_UPDATED = datetime(2026, 9, 15, 9, 30, tzinfo=UTC)


def publish_demo(result: DemoResult) -> list[NoticeVersion]:
    """Publish every demo register twice: a first version and a dated update.

    Between the two, each register gains a security measure (two-factor
    authentication), so the change log shows a real, dated change.
    """
    published: list[NoticeVersion] = []
    for company in result.companies:
        publisher = get_user_model().objects.get(username=f"publisher-{company.controller.slug}")
        for register in company.registers:
            published.append(
                services.notice_publish(
                    register=register,
                    user=publisher,
                    summary={"fi": "Ensimmäinen julkaisu.", "en": "First published."},
                    published_at=DEMO_FIRST_PUBLISHED,
                )
            )
            _clean_save(
                SecurityMeasure(
                    register=register,
                    kind=SecurityMeasure.Kind.ELECTRONIC,
                    description_fi="Kaikki henkilöstön tunnukset käyttävät kaksivaiheista "
                    "tunnistautumista.",
                    description_en="Every staff account uses two-factor authentication.",
                    order=99,
                )
            )
            published.append(
                services.notice_publish(
                    register=register,
                    user=publisher,
                    summary={
                        "fi": "Lisätty kaksivaiheinen tunnistautuminen suojaustoimiin.",
                        "en": "Added two-factor authentication to the security measures.",
                    },
                    published_at=DEMO_UPDATED,
                )
            )
    return published
