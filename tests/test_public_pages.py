"""What visitors get without logging in: every public address, its headers and contents.

Notices are published for real (WeasyPrint included) and read back through the test
client; PDFs are read with pypdf.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date

from notices import services
from notices.models import LegalBasis, NoticeVersion, Purpose, Recipient, Register
from tests.conftest import Tenant, login
from tests.notices_factory import (
    make_big_notice,
    make_publisher,
    pdf_text,
    publish,
)

LANGUAGES = ("fi", "en")
NAMES = {"fi": "Acme asiakasrekisteri", "en": "Acme customer register"}
PURPOSES = {"fi": "Acme asiakassuhde", "en": "Acme customer relationship"}
FIRST = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
SECOND = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def published(register: Register, paula: User) -> NoticeVersion:
    return publish(register, paula, published_at=FIRST)


def base(lang: str, controller: str = "acme", register: str = "customers") -> str:
    return f"/{lang}/{controller}/{register}/"


def urls(lang: str, number: int = 1) -> dict[str, str]:
    root = base(lang)
    return {
        "detail": root,
        "pdf": f"{root}pdf/",
        "json": f"{root}notice.json",
        "embed": f"{root}embed/",
        "versions": f"{root}versions/",
        "version": f"{root}versions/{number}/",
        "version_pdf": f"{root}versions/{number}/pdf/",
    }


def body(response) -> bytes:
    # Consuming streaming_content closes the response the way the test client expects;
    # closing it again would fire request_finished and close the test's DB connection.
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def in_language(lang: str, msgid: str) -> str:
    with translation.override(lang):
        return translation.gettext(msgid)


def section(html: str, anchor: str) -> str:
    """The HTML of the notice section with id ``anchor``."""
    return html.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


# --- Every public address ---------------------------------------------------------------


def test_every_public_url_in_both_languages(published: NoticeVersion):
    client = Client()
    for lang in LANGUAGES:
        other = "en" if lang == "fi" else "fi"
        u = urls(lang)
        rendering = published.renderings.get(language=lang)

        page = client.get(u["detail"])
        assert page.status_code == 200
        assert page["Content-Type"] == "text/html; charset=utf-8"
        assert page["Content-Language"] == lang
        html = page.content.decode()
        assert html == rendering.html
        assert f'<html lang="{lang}">' in html
        assert f'<link rel="alternate" hreflang="{other}" href="{base(other)}">' in html
        assert f'<link rel="alternate" hreflang="{lang}" href="{base(lang)}">' in html
        assert f'<a href="{base(other)}" hreflang="{other}"' in html
        assert f'<a href="{u["pdf"]}">' in html
        assert f'<a href="{u["versions"]}">' in html
        assert f'<h1 id="notice-title">{NAMES[lang]}</h1>' in html
        assert PURPOSES[lang] in html
        assert "Acme" in html

        pdf = client.get(u["pdf"])
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert f'filename="acme-customers-v1-{lang}.pdf"' in pdf["Content-Disposition"]
        data = body(pdf)
        assert int(pdf["Content-Length"]) == len(data) == rendering.pdf_size
        with default_storage.open(rendering.pdf.name, "rb") as stored:
            assert data == stored.read()
        assert NAMES[lang] in pdf_text(data)

        document = client.get(u["json"])
        assert document.status_code == 200
        assert document["Content-Type"] == "application/json; charset=utf-8"
        assert json.loads(document.content)["language"] == lang

        embed = client.get(u["embed"])
        assert embed.status_code == 200
        assert embed["Content-Type"] == "text/html; charset=utf-8"
        embed_html = embed.content.decode()
        assert f'<html lang="{lang}">' in embed_html
        assert NAMES[lang] in embed_html
        assert 'class="site-header"' not in embed_html

        versions = client.get(u["versions"])
        assert versions.status_code == 200
        versions_html = versions.content.decode()
        assert f'<html lang="{lang}">' in versions_html
        assert f'hreflang="{other}"' in versions_html
        assert f'href="{u["version"]}"' in versions_html
        assert f'href="{u["version_pdf"]}"' in versions_html

        version = client.get(u["version"])
        assert version.status_code == 200
        assert version.content.decode() == html  # the current version: no banner
        version_pdf = client.get(u["version_pdf"])
        assert version_pdf.status_code == 200
        assert version_pdf["Content-Type"] == "application/pdf"
        assert f'filename="acme-customers-v1-{lang}.pdf"' in version_pdf["Content-Disposition"]
        assert body(version_pdf) == data

        index = client.get(f"/{lang}/acme/")
        assert index.status_code == 200
        index_html = index.content.decode()
        assert f'<html lang="{lang}">' in index_html
        assert f'href="{u["detail"]}"' in index_html
        assert NAMES[lang] in index_html
        assert f'hreflang="{other}"' in index_html


def test_drafts_unknown_addresses_and_offline(register: Register, paula: User, beta: Tenant):
    client = Client()
    # A register that was never published (Borealis has only an unrendered row).
    for lang in LANGUAGES:
        for address in [*urls(lang).values(), f"/{lang}/acme/"]:
            assert client.get(address).status_code == 404, address
        assert client.get(urls(lang)["detail"].replace("acme", "borealis")).status_code == 404

    publish(register, paula)
    for lang in LANGUAGES:
        for address in [
            base(lang, controller="nobody"),
            base(lang, register="nothing"),
            f"{base(lang, register='nothing')}pdf/",
            f"{base(lang)}versions/2/",
            f"{base(lang)}versions/2/pdf/",
            f"{base(lang)}versions/0/",
            f"/{lang}/nobody/",
        ]:
            assert client.get(address).status_code == 404, address
    assert client.get("/de/acme/customers/").status_code == 404
    assert client.get("/sv/acme/customers/pdf/").status_code == 404

    services.register_set_online(register=register, user=paula, online=False)
    for lang in LANGUAGES:
        for name, address in urls(lang).items():
            response = client.get(address)
            assert response.status_code == 410, address
            if name not in {"pdf", "version_pdf", "json"}:
                assert f'<html lang="{lang}"' in response.content.decode()
        assert client.get(f"/{lang}/acme/").status_code == 404


def test_language_not_published_is_404(register: Register, paula: User):
    register.languages = ["fi"]
    register.save()
    version = publish(register, paula, summary={"fi": "Vain suomeksi."})
    assert version.languages == ["fi"]
    assert "en" not in version.summary
    client = Client()
    for address in [*urls("en").values(), "/en/acme/"]:
        assert client.get(address).status_code == 404, address
    page = client.get(urls("fi")["detail"])
    assert page.status_code == 200
    assert 'hreflang="en"' not in page.content.decode()
    assert client.get("/fi/acme/").status_code == 200


def test_a_language_no_longer_published_ends_its_current_notice(register: Register, paula: User):
    """Issue 12, finding 3: English unticked, version 2 published in Finnish only."""
    publish(register, paula, published_at=FIRST)
    register.languages = ["fi"]
    register.save()
    publish(register, paula, summary={"fi": "Vain suomeksi."}, published_at=SECOND)
    client = Client()

    # Every current English address is 404, as for a language never published...
    for name in ("detail", "pdf", "json", "embed", "versions"):
        assert client.get(urls("en")[name]).status_code == 404, name
    # ...and the English company index no longer lists the register.
    assert client.get("/en/acme/").status_code == 404
    index = client.get("/fi/acme/").content.decode()
    assert base("fi") in index
    assert 'hreflang="en"' not in index

    # Version 1 stays at its permanent English addresses, as an earlier version whose
    # banner leads to the current version where it exists: in Finnish.
    old = client.get(urls("en", 1)["version"])
    assert old.status_code == 200
    banner = re.search(r'<p class="banner archived"[^>]*>.*?</p>', old.content.decode()).group()
    assert in_language("en", "This is an earlier version of the notice.") in banner
    assert f'href="{base("fi")}"' in banner
    assert f'href="{base("en")}"' not in banner
    assert client.get(urls("en", 1)["version_pdf"]).status_code == 200
    assert client.get(urls("fi", 2)["version"]).status_code == 200
    assert json.loads(client.get(urls("fi")["json"]).content)["version"] == 2


# --- Earlier versions and the change log ------------------------------------------------


def test_earlier_versions_stay_readable_with_a_banner(register: Register, paula: User):
    publish(register, paula, published_at=FIRST)
    purpose = Purpose.objects.get(register=register)
    purpose.name_fi, purpose.name_en = "Asiakkuuden hoito", "Customer care"
    purpose.save()
    publish(
        register,
        paula,
        summary={"fi": "Tarkoitus nimetty uudelleen.", "en": "Purpose renamed."},
        published_at=SECOND,
    )
    client = Client()
    new_names = {"fi": "Asiakkuuden hoito", "en": "Customer care"}
    dates = {"fi": ("15.1.2025", "1.6.2025"), "en": ("15 January 2025", "1 June 2025")}
    for lang in LANGUAGES:
        banner = in_language(lang, "This is an earlier version of the notice.")
        current = client.get(base(lang)).content.decode()
        assert new_names[lang] in section(current, "purposes")
        assert PURPOSES[lang] not in section(current, "purposes")
        assert banner not in current

        old = client.get(urls(lang)["version"])
        assert old.status_code == 200
        old_html = old.content.decode()
        assert banner in old_html
        assert re.search(r'<p class="banner archived"[^>]*>.*?<a href="' + base(lang), old_html)
        assert PURPOSES[lang] in section(old_html, "purposes")
        assert new_names[lang] not in section(old_html, "purposes")
        assert "public" in old["Cache-Control"]

        old_pdf = client.get(urls(lang)["version_pdf"])
        assert f'filename="acme-customers-v1-{lang}.pdf"' in old_pdf["Content-Disposition"]
        assert PURPOSES[lang] in pdf_text(body(old_pdf))
        current_pdf = client.get(urls(lang)["pdf"])
        assert f'filename="acme-customers-v2-{lang}.pdf"' in current_pdf["Content-Disposition"]
        assert new_names[lang] in pdf_text(body(current_pdf))

        log = client.get(urls(lang)["versions"]).content.decode()
        for number in (1, 2):
            assert f'href="{urls(lang, number)["version"]}"' in log
            assert f'href="{urls(lang, number)["version_pdf"]}"' in log
        for date in dates[lang]:
            assert date in log
        assert '<time datetime="2025-01-15">' in log
        assert '<time datetime="2025-06-01">' in log
        summary = {"fi": "Tarkoitus nimetty uudelleen.", "en": "Purpose renamed."}[lang]
        assert summary in log
        assert new_names[lang] in log  # the change itself is listed

    # /versions/1/ changed when version 2 appeared (the banner): a cache that stored it
    # before then and revalidates by date alone must get the new page, not a 304.
    for lang in LANGUAGES:
        revalidated = client.get(
            urls(lang)["version"], HTTP_IF_MODIFIED_SINCE=http_date(FIRST.timestamp())
        )
        assert revalidated.status_code == 200, (lang, revalidated["Last-Modified"])
        assert in_language(lang, "This is an earlier version of the notice.") in (
            revalidated.content.decode()
        )


# --- Speed: a small fixed number of queries whatever the notice's size ---------------


def test_public_views_make_the_same_few_queries_for_small_and_big_notices(
    published: NoticeVersion, django_assert_max_num_queries
):
    big = make_big_notice()
    big.languages = ["fi"]  # one language is enough to compare; halves the time
    big.save()
    publish(big, make_publisher(big.controller, "ilkka"), summary={"fi": "Iso."})
    assert len(big.versions.get().snapshot["purposes"]) == 60

    client = Client()
    counts = {}
    for size, controller in (("small", "acme"), ("big", "iso")):
        root = base("fi", controller=controller)
        for name, address in {
            "detail": root,
            "pdf": f"{root}pdf/",
            "json": f"{root}notice.json",
            "versions": f"{root}versions/",
            "embed": f"{root}embed/",
            "version": f"{root}versions/1/",
            "version_pdf": f"{root}versions/1/pdf/",
        }.items():
            with django_assert_max_num_queries(2) as captured:
                response = client.get(address)
                body(response)
            assert response.status_code == 200, address
            counts[size, name] = len(captured.captured_queries)
    for name in ("detail", "pdf", "json", "versions", "embed", "version", "version_pdf"):
        assert counts["small", name] == counts["big", name], counts


# --- Conditional requests and caching ------------------------------------------------


def test_conditional_requests(published: NoticeVersion):
    client = Client()
    last_modified = http_date(published.published_at.timestamp())
    etags = set()
    not_modified_without_cache: list[str] = []
    for lang in LANGUAGES:
        for address in urls(lang).values():
            response = client.get(address)
            body(response)
            assert response.status_code == 200, address
            etag = response["ETag"]
            assert re.fullmatch(r'"[^"\s]+"', etag), (address, etag)  # strong: no W/
            assert response["Last-Modified"] == last_modified
            cache = response["Cache-Control"]
            assert cache.startswith("public") and "max-age=" in cache, (address, cache)
            etags.add(etag)

            again = client.get(address, HTTP_IF_NONE_MATCH=etag)
            assert again.status_code == 304, address
            assert body(again) == b""
            assert again["ETag"] == etag
            if again.get("Cache-Control") != cache:
                # RFC 9110 15.4.5: a 304 carries the Cache-Control a 200 would have.
                not_modified_without_cache.append(address)

            since = client.get(address, HTTP_IF_MODIFIED_SINCE=last_modified)
            assert since.status_code == 304, address

            other = client.get(address, HTTP_IF_NONE_MATCH='"something-else"')
            assert other.status_code == 200, address
            body(other)
    # Every form and language has its own validator.
    assert len(etags) >= 2 * 5
    assert not_modified_without_cache == [], "304 responses without Cache-Control"


def test_public_responses_do_not_vary_by_accept_language(published: NoticeVersion):
    """The language is in the address: a CDN must not keep a copy per Accept-Language."""
    client = Client()
    varying = {}
    for lang in LANGUAGES:
        for address in [*urls(lang).values(), f"/{lang}/acme/"]:
            for accept in ("fi", "en-GB,en;q=0.8", "sv"):
                response = client.get(address, HTTP_ACCEPT_LANGUAGE=accept)
                content = body(response)
                assert response.status_code == 200, address
                assert f'lang="{lang}"'.encode() in content or address.endswith(("pdf/", ".json"))
                vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
                if "accept-language" in vary or "cookie" in vary:
                    varying[address] = response["Vary"]
    assert varying == {}, varying


# --- JSON -------------------------------------------------------------------------------


def test_json_has_the_notice_in_the_requested_language(register, paula, acme: Tenant):
    acme.purpose.legal_bases.add(LegalBasis.objects.get(code="6-1-f"))
    acme.purpose.legitimate_interest_fi = "Asiakassuhteen ylläpito."
    acme.purpose.legitimate_interest_en = "Keeping up the customer relationship."
    acme.purpose.save()
    # Legitimate interests bring the right to object (Art. 21(1)): the register lists it.
    register.rights.filter(right__code="objection").update(included=True)
    version = publish(register, paula, published_at=FIRST)
    client = Client()
    documents = {lang: json.loads(client.get(urls(lang)["json"]).content) for lang in LANGUAGES}
    for lang, doc in documents.items():
        assert doc["language"] == lang
        assert doc["version"] == 1
        assert datetime.fromisoformat(doc["published_at"]) == version.published_at
        assert doc["content_hash"] == version.content_hash
        assert doc["controller"]["name"] == "Acme"
        assert doc["controller"]["business_id"] == "1234567-1"
        assert doc["register"]["name"] == NAMES[lang]
        assert doc["register"]["slug"] == "customers"
        (purpose,) = doc["purposes"]
        assert purpose["name"] == PURPOSES[lang]
        codes = {b["code"]: b for b in purpose["legal_bases"]}
        assert set(codes) == {"6-1-b", "6-1-f"}
        assert codes["6-1-b"]["article"] == "6(1)(b)"
        assert codes["6-1-f"]["article"] == "6(1)(f)"
        assert codes["6-1-b"]["name"] == {"fi": "Sopimus", "en": "Contract"}[lang]
        assert (
            purpose["legitimate_interest"]
            == {
                "fi": "Asiakassuhteen ylläpito.",
                "en": "Keeping up the customer relationship.",
            }[lang]
        )
        assert [c["name"] for c in doc["data_categories"]] == [
            {"fi": "Acme yhteystiedot", "en": "Acme contact details"}[lang]
        ]
        assert [r["name"] for r in doc["recipients"]] == [
            {"fi": "Acme vastaanottaja", "en": "Acme recipient"}[lang]
        ]
        (processor,) = doc["processors"]
        assert processor["name"] == "Acme CRM"
        assert processor["country"] == "US"
        (transfer,) = doc["transfers"]
        assert (transfer["country"], transfer["safeguard"], transfer["processor"]) == (
            "US",
            "scc",
            "Acme CRM",
        )
        (rule,) = doc["retention"]
        assert (rule["period"], rule["period_unit"]) == (10, "years")
        rights = {r["code"] for r in doc["rights"]}
        assert {"access", "rectification", "erasure", "restriction", "complaint"} <= rights
        assert all(r["name"] and r["text"] for r in doc["rights"])
        assert doc["supervisory_authority"]["name"]
        assert doc["format_version"] == 3
        assert doc["changes"]["version"] == 1
        assert doc["changes"]["summary"]
        assert doc["changelog"] == f"/{lang}/acme/customers/changes.json"
    assert documents["fi"]["content_hash"] == documents["en"]["content_hash"]


# --- Escaping: tenant text is text on every path ------------------------------------


SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def test_tenant_text_is_escaped_everywhere(register: Register, paula: User, acme: Tenant):
    hostile = Purpose.objects.create(
        register=register,
        name_fi=SCRIPT,
        name_en=SCRIPT,
        description_fi=IMG,
        description_en=IMG,
        order=9,
    )
    hostile.legal_bases.set([LegalBasis.objects.get(code="6-1-b")])
    publish(register, paula)
    client = Client()
    for lang in LANGUAGES:
        u = urls(lang)
        for name in ("detail", "embed", "version"):
            html = client.get(u[name]).content.decode()
            assert "<script>alert" not in html, name
            assert "<img src=x" not in html, name
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
            assert "&lt;img src=x onerror=alert(1)&gt;" in html, name
        doc = json.loads(client.get(u["json"]).content)
        names = {p["name"]: p["description"] for p in doc["purposes"]}
        assert names[SCRIPT] == IMG
        text = pdf_text(body(client.get(u["pdf"])))
        assert SCRIPT in text
        assert IMG in text

    # The change list on the admin's publish page escapes names too.
    Recipient.objects.create(register=register, name_fi=SCRIPT, name_en=SCRIPT)
    page = login(paula).get(reverse("admin:notices_register_publish", args=[register.pk]))
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


# --- Embedding ------------------------------------------------------------------------


def test_embed_is_framable_only_by_the_controllers_origins(published: NoticeVersion):
    client = Client()
    for lang in LANGUAGES:
        embed = client.get(urls(lang)["embed"])
        assert embed.status_code == 200
        policy = embed["Content-Security-Policy"]
        directives = dict(
            (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
        )
        ancestors = directives["frame-ancestors"].split()
        assert "https://www.acme.example" in ancestors
        assert "https://intra.acme.example" in ancestors
        assert not {a for a in ancestors if a not in {"'self'"}} - {
            "https://www.acme.example",
            "https://intra.acme.example",
        }
        assert "X-Frame-Options" not in embed

        page = client.get(urls(lang)["detail"])
        assert page["X-Frame-Options"] == "DENY"
        for name in ("versions", "version"):
            assert client.get(urls(lang)[name])["X-Frame-Options"] == "DENY"
