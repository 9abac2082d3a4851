"""Duplicating a register, and the embed settings on the company's page."""

from __future__ import annotations

from django.urls import reverse

from controllers.models import AuditEvent, Controller
from notices.models import Register
from notices.snapshot import build_snapshot
from tests.conftest import login


def test_duplicate_makes_a_new_draft_with_every_part(acme, alice):
    original = acme.register
    client = login(alice)
    url = reverse("admin:notices_register_duplicate", args=[original.pk])
    assert client.get(url).status_code == 200
    assert Register.objects.count() == 1
    response = client.post(url)
    copy = Register.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:notices_register_change", args=[copy.pk])
    assert copy.controller == original.controller
    assert copy.slug == "customers-2"
    assert copy.name_en == "Acme customer register (2)"
    assert not copy.versions.exists()
    before, after = build_snapshot(original), build_snapshot(copy)
    for key in (
        "purposes",
        "data_categories",
        "sources",
        "recipients",
        "processors",
        "transfers",
        "retention",
        "security",
        "cookies",
        "rights",
        "subject_groups",
    ):
        assert len(after[key]) == len(before[key]), key
        assert len(after[key]) > 0, key
    # Parts that point at parts point at the copy's own.
    category = copy.data_categories.get()
    assert list(category.subject_groups.all()) == list(copy.subject_groups.all())
    assert copy.retention_rules.get().data_category == category
    # The original is untouched.
    assert original.data_categories.get().subject_groups.get() == acme.group
    assert AuditEvent.objects.filter(action="add", object_id=str(copy.pk)).exists()
    # A second copy takes the next free address name.
    client.post(url)
    assert Register.objects.filter(slug="customers-3").exists()


def test_another_companys_register_cannot_be_duplicated(acme, beta, bob, charlie):
    url = reverse("admin:notices_register_duplicate", args=[acme.register.pk])
    assert login(bob).post(url).status_code == 404
    assert login(charlie).post(url).status_code == 302
    assert Register.objects.filter(controller=acme.controller).count() == 1


def test_company_page_has_embed_origins_and_a_snippet_per_register(acme, alice):
    client = login(alice)
    url = reverse("admin:controllers_controller_change", args=[acme.controller.pk])
    html = client.get(url).content.decode()
    assert 'name="embed_origins"' in html
    assert '&lt;iframe src="http://testserver/fi/acme/customers/embed/"' in html
    assert "data-copy=" in html
    form = client.get(url).context["adminform"].form
    data = {
        name: form[name].value()
        for name in form.fields
        if name != "logo" and form[name].value() is not None
    }
    data["embed_origins"] = "https://www.acme.example\nnot an origin"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    data["embed_origins"] = "https://www.acme.example"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Controller.objects.get(pk=acme.controller.pk).embed_origins == "https://www.acme.example"
