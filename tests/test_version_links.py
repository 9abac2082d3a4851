"""Links that stay where they lead: an earlier version's own links, an embed's, a language's.

- On ``versions/<n>/`` the PDF and the other languages are version n's, not the current ones.
- "Read version n", its PDF and "What changed" are not linked in a language version n
  (or the one before) was not published in: they would be 404s.
- Inside an embed, links leave the frame for the whole window.
"""

from __future__ import annotations

import re

from django.test import Client

from notices import services
from tests.notices_factory import add_swedish, make_publisher, publish, without_weasyprint


def page(address: str) -> str:
    response = Client().get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def publish_two_versions(register, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    without_weasyprint(monkeypatch)
    paula = make_publisher(register.controller)
    publish(register, paula)
    register.refresh_from_db()
    register.introduction_fi = "Toinen versio."
    register.save()
    publish(register, paula)


def test_an_earlier_versions_page_links_to_its_own_pdf_and_languages(register, monkeypatch):
    publish_two_versions(register, monkeypatch)

    links = hrefs(page("/fi/acme/customers/versions/1/"))
    assert "/fi/acme/customers/versions/1/pdf/" in links
    assert "/en/acme/customers/versions/1/" in links
    assert "/fi/acme/customers/pdf/" not in links
    assert "/en/acme/customers/" not in links
    # Where those links lead exists.
    for address in ("/fi/acme/customers/versions/1/pdf/", "/en/acme/customers/versions/1/"):
        assert Client().get(address).status_code == 200
    # The banner still leads to the current version.
    assert "/fi/acme/customers/" in links
    # The current page keeps the current addresses.
    current = hrefs(page("/fi/acme/customers/"))
    assert "/fi/acme/customers/pdf/" in current
    assert "/en/acme/customers/" in current


def test_no_link_to_a_version_in_a_language_it_was_not_published_in(acme, register, monkeypatch):
    without_weasyprint(monkeypatch)
    paula = make_publisher(register.controller)
    publish(register, paula)
    add_swedish(acme)
    publish(register, paula)

    changelog = hrefs(page("/sv/acme/customers/versions/"))
    assert "/sv/acme/customers/versions/2/" in changelog
    assert "/sv/acme/customers/versions/1/" not in changelog
    assert "/sv/acme/customers/versions/1/pdf/" not in changelog
    assert not any("compare/1...2" in link for link in changelog)
    # Version 2's own Swedish page does not offer a comparison with version 1 either.
    assert not any("compare/" in link for link in hrefs(page("/sv/acme/customers/")))
    # In Finnish both exist, and every link there answers.
    finnish = hrefs(page("/fi/acme/customers/versions/"))
    for link in ("/fi/acme/customers/versions/1/", "/fi/acme/customers/compare/1...2/"):
        assert link in finnish
        assert Client().get(link).status_code == 200
    assert any("compare/1...2" in link for link in hrefs(page("/fi/acme/customers/")))


def test_links_inside_an_embed_open_in_the_whole_window(register, monkeypatch):
    publish_two_versions(register, monkeypatch)
    html = page("/fi/acme/customers/embed/")
    links = re.findall(r"<a [^>]*>", html)
    outward = [link for link in links if 'href="#' not in link and "mailto:" not in link]
    assert outward, links
    for link in outward:
        assert 'target="_top"' in link, link
    # In-page links stay in the frame.
    assert all('target="_top"' not in link for link in links if 'href="#' in link)


def test_offline_pages_still_answer_gone(register, monkeypatch):
    without_weasyprint(monkeypatch)
    paula = make_publisher(register.controller)
    publish(register, paula)
    services.register_set_online(register=register, user=paula, online=False)
    assert Client().get("/fi/acme/customers/versions/1/").status_code == 410
