"""Change pages are titled by hand in Finnish: "Muokkaa rekisteriä", never "Muokkaa rekisteri"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import login


def title_and_heading(client, url: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    html = client.get(url).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL).group(1)
    return title.strip(), heading.strip()


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("fi", "register", "Muokkaa rekisteriä"),
        ("fi", "processor", "Muokkaa käsittelijää"),
        ("fi", "controller", "Muokkaa rekisterinpitäjää"),
        ("sv", "register", "Ändra register"),
        ("sv", "processor", "Ändra personuppgiftsbiträde"),
        ("sv", "controller", "Ändra personuppgiftsansvarig"),
        ("en", "register", "Change register"),
    ],
)
def test_change_pages_are_titled_with_the_partitive(acme, paula, language, name, expected):
    obj = {"register": acme.register, "processor": acme.processor}.get(name, acme.controller)
    app = "controllers" if name == "controller" else "notices"
    url = reverse(f"admin:{app}_{name}_change", args=[obj.pk])
    title, heading = title_and_heading(login(paula, language), url)
    assert heading == expected
    assert expected in title.split(" | ")


def test_django_titles_stay_for_pages_without_change(acme, paula):
    # A read-only page keeps "Näytä …"; an add page keeps Django's "Lisää …".
    client = login(paula, "fi")
    _title, heading = title_and_heading(
        client, reverse("admin:notices_legalbasis_change", args=[1])
    )
    assert heading.startswith("Näytä")
    _title, heading = title_and_heading(client, reverse("admin:notices_register_add"))
    assert heading == "Lisää rekisteri"


def test_superuser_sees_the_catalogue_title(acme, root):
    from notices.models import LegalBasis

    basis = LegalBasis.objects.first()
    url = reverse("admin:notices_legalbasis_change", args=[basis.pk])
    assert title_and_heading(login(root, "fi"), url)[1] == "Muokkaa oikeusperustetta"


def test_other_companies_register_is_still_a_404(acme, bob, charlie):
    url = reverse("admin:notices_register_change", args=[acme.register.pk])
    assert login(bob, "fi").get(url).status_code == 404
    # A user of no company has no admin at all.
    assert login(charlie, "fi").get(url).status_code == 302
