"""Atom feeds of a notice's and a company's published versions, read back as XML.

Parsed with the standard library's namespace-aware ElementTree: lxml is not among
the locked dependencies, and what is checked here (the Atom namespace and the
elements RFC 4287 requires) needs no schema engine.

Each feed is checked for what Atom 1.0 (RFC 4287) requires: the feed's id, title
and updated, and every entry's id, title, updated and link; and for what a reader
follows: the summary, the substantive changes and the link to the comparison.
"""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.test import Client

from notices.models import NoticeVersion
from tests.conftest import make_tenant
from tests.history_factory import publish_two
from tests.notices_factory import complete_notice, make_publisher, publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM}


def parse(response) -> ElementTree.Element:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own feed, just served
    assert root.tag == f"{{{ATOM}}}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"a:{required}", namespaces=NS), required
    assert root.find("a:link[@rel='alternate']", NS) is not None
    assert root.find("a:link[@rel='self']", NS) is not None
    for entry in root.findall("a:entry", NS):
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"a:{required}", namespaces=NS), required
        assert entry.find("a:link[@rel='alternate']", NS).get("href").startswith("http://")
    return root


@pytest.fixture
def two_versions(acme, register, paula):
    return publish_two(acme, register, paula)


def test_notice_feed_has_an_entry_per_version_with_summary_and_comparison(two_versions):
    root = parse(Client().get("/en/acme/customers/feed.atom"))
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.findtext("a:title", namespaces=NS) == "Acme customer register – changes"
    entries = root.findall("a:entry", NS)
    assert [e.findtext("a:title", namespaces=NS) for e in entries] == [
        "Version 2, 15 September 2026",
        "Version 1, 3 March 2025",
    ]
    newest, first = entries
    assert newest.find("a:link[@rel='alternate']", NS).get("href") == (
        "http://testserver/en/acme/customers/versions/2/"
    )
    assert newest.find("a:link[@rel='related']", NS).get("href") == (
        "http://testserver/en/acme/customers/compare/1...2/"
    )
    assert first.find("a:link[@rel='related']", NS) is None
    summary = newest.findtext("a:summary", namespaces=NS)
    assert "A new recipient." in summary
    assert "Substantive changes:" in summary
    assert "Debt collection agency" in summary and "new recipient" in summary
    assert newest.findtext("a:updated", namespaces=NS).startswith("2026-09-15T")


def test_notice_feed_in_finnish(two_versions):
    root = parse(Client().get("/fi/acme/customers/feed.atom"))
    titles = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert titles == ["Versio 2, 15.9.2026", "Versio 1, 3.3.2025"]
    assert "Uusi vastaanottaja." in root.find("a:entry", NS).findtext("a:summary", namespaces=NS)


def test_feed_of_a_language_not_published_is_404_and_offline_is_410(register, two_versions):
    assert Client().get("/sv/acme/customers/feed.atom").status_code == 404
    assert Client().get("/en/nobody/feed.atom").status_code == 404
    register.is_online = False
    register.save()
    assert Client().get("/en/acme/customers/feed.atom").status_code == 410
    # An offline notice leaves the company feed.
    assert Client().get("/en/acme/feed.atom").status_code == 404


def test_company_feed_lists_every_notice_of_the_company_only(acme, two_versions):
    other = make_tenant("Borealis", "borealis", "7654321-2")
    complete_notice(other)
    publish(other.register, make_publisher(other.controller, "pekka"))
    root = parse(Client().get("/en/acme/feed.atom"))
    titles = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert titles == [
        "Acme customer register: version 2, 15 September 2026",
        "Acme customer register: version 1, 3 March 2025",
    ]
    assert root.findtext("a:subtitle", namespaces=NS) == (
        "Every published version of the company's privacy notices, with what changed."
    )
    assert b"borealis" not in Client().get("/en/acme/feed.atom").content.lower()


def test_feed_keeps_the_latest_fifty_in_a_fixed_number_of_queries(
    register, paula, django_assert_num_queries
):
    first = publish(register, paula)
    # Versions 2..55 as copies of the first (the feed reads rows, not renderings' bytes).
    rendering = first.renderings.get(language="en")
    for number in range(2, 56):
        first.pk = None
        first.number = number
        first.save()
        rendering.pk = None
        rendering.version = first
        rendering.save()
    assert NoticeVersion.objects.filter(register=register).count() == 55
    client = Client()
    # Its signature (what the feed depends on), then the versions it lists; once made,
    # the process answers again with the response it kept, without a query.
    with django_assert_num_queries(2):
        response = client.get("/en/acme/customers/feed.atom")
    entries = parse(response).findall("a:entry", NS)
    assert len(entries) == 50
    with django_assert_num_queries(0):
        assert client.get("/en/acme/customers/feed.atom").content == response.content
    with django_assert_num_queries(2):
        company = client.get("/en/acme/feed.atom")
    assert len(parse(company).findall("a:entry", NS)) == 50
    with django_assert_num_queries(0):
        assert client.get("/en/acme/feed.atom").content == company.content
    etag = response["ETag"]
    assert response["Cache-Control"] == "public, max-age=300, stale-while-revalidate=60"
    assert client.get("/en/acme/customers/feed.atom", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_pages_link_their_feeds(two_versions):
    link = '<link rel="alternate" type="application/atom+xml" href="{}"'
    client = Client()
    assert (
        link.format("/en/acme/customers/feed.atom")
        in client.get("/en/acme/customers/").content.decode()
    )
    assert (
        link.format("/en/acme/customers/feed.atom")
        in client.get("/en/acme/customers/versions/").content.decode()
    )
    assert link.format("/en/acme/feed.atom") in client.get("/en/acme/").content.decode()


def test_tenant_text_in_a_feed_is_escaped(acme, register, paula):
    publish(register, paula, summary={"fi": "x", "en": "<script>alert(1)</script>"})
    response = Client().get("/en/acme/customers/feed.atom")
    summary = parse(response).find("a:entry", NS).findtext("a:summary", namespaces=NS)
    # The summary is HTML (type="html"): the tenant's markup arrives as text in it.
    assert "&lt;script&gt;" in summary and "<script>" not in summary
