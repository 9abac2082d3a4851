"""No company sees or touches another's data, on every admin registered on the site.

The admins are discovered from the admin site, so a new ModelAdmin (or a new
inline, autocomplete field or relation) is covered without editing this file.
alice edits Acme; everything of Borealis carries the word "borealis", which must
never reach alice's pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.core.files import File
from django.db import models
from django.forms import ChoiceField
from django.test import Client
from django.urls import reverse

from controllers.models import Controller, Membership
from controllers.tenancy import controller_lookup, is_tenant_model, tenant_admin_kind
from notices.models import Register
from tests.conftest import Tenant, login

LEAK = "borealis"

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
TENANT_ADMINS = [(m, a) for m, a in ADMINS if tenant_admin_kind(a) == "tenant"]
CATALOGUE_ADMINS = [(m, a) for m, a in ADMINS if tenant_admin_kind(a) == "catalogue"]
OTHER_ADMINS = [(m, a) for m, a in ADMINS if tenant_admin_kind(a) == "django"]


def ids(items: list[tuple[type[models.Model], Any]]) -> list[str]:
    return [model._meta.label for model, _ in items]


def url(model: type[models.Model], view: str, *args: Any) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def object_of(model: type[models.Model], tenant: Tenant) -> models.Model:
    obj = model._default_manager.filter(**{controller_lookup(model): tenant.controller.pk}).first()
    assert obj is not None, f"fixture has no {model.__name__} of {tenant.controller}"
    return obj


@pytest.fixture(autouse=True)
def _borealis_has_members(bob) -> None:
    """Borealis has a member too, so that memberships are tenant data to leak."""


def test_every_admin_is_scoped_or_a_catalogue_or_closed_to_members():
    for model, model_admin in ADMINS:
        kind = tenant_admin_kind(model_admin)
        if is_tenant_model(model):
            assert kind == "tenant", f"{model.__name__} holds tenant data but is not scoped"
        else:
            assert kind in {"catalogue", "django"}, model.__name__
    assert len(TENANT_ADMINS) >= 5


# --- Reading --------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "model_admin"), TENANT_ADMINS, ids=ids(TENANT_ADMINS))
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_editor_gets_404_for_other_controllers_object(
    model, model_admin, view, alice_client: Client, acme, beta
):
    other = object_of(model, beta)
    response = alice_client.get(url(model, view, other.pk))
    assert response.status_code == 404
    assert LEAK not in response.content.decode().lower()


@pytest.mark.parametrize(("model", "model_admin"), TENANT_ADMINS, ids=ids(TENANT_ADMINS))
def test_editor_can_open_own_object(model, model_admin, alice_client: Client, acme, beta):
    own = object_of(model, acme)
    response = alice_client.get(url(model, "change", own.pk))
    assert response.status_code == 200
    assert LEAK not in response.content.decode().lower()


@pytest.mark.parametrize(("model", "model_admin"), TENANT_ADMINS, ids=ids(TENANT_ADMINS))
def test_changelist_filters_and_search_show_only_own_rows(
    model, model_admin, alice_client: Client, acme, beta
):
    own = object_of(model, acme)
    other = object_of(model, beta)
    response = alice_client.get(url(model, "changelist"))
    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert own.pk in shown
    assert other.pk not in shown
    # Every list filter's choices and every row: nothing of Borealis.
    assert LEAK not in response.content.decode().lower()
    searched = alice_client.get(url(model, "changelist"), {"q": "borealis"})
    assert searched.status_code == 200
    assert list(searched.context["cl"].result_list) == []


@pytest.mark.parametrize(("model", "model_admin"), TENANT_ADMINS, ids=ids(TENANT_ADMINS))
def test_add_form_offers_no_other_controllers_choices(
    model, model_admin, alice_client: Client, acme, beta
):
    response = alice_client.get(url(model, "add"))
    if not model_admin.members_can_add:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert LEAK not in response.content.decode().lower()


def autocomplete_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field) that the admin serves through autocomplete."""
    found = []
    for model, model_admin in ADMINS:
        for field in model_admin.autocomplete_fields:
            found.append((model, field))
        for inline in model_admin.inlines:
            for field in inline.autocomplete_fields:
                found.append((inline.model, field))
    return found


AUTOCOMPLETE = autocomplete_fields()


@pytest.mark.parametrize(
    ("model", "field"), AUTOCOMPLETE, ids=[f"{m.__name__}.{f}" for m, f in AUTOCOMPLETE]
)
def test_autocomplete_returns_only_own_objects(model, field, alice_client: Client, acme, beta):
    response = alice_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": model._meta.app_label,
            "model_name": model._meta.model_name,
            "field_name": field,
            "term": "",
        },
    )
    related = model._meta.get_field(field).related_model
    if not is_tenant_model(related):
        kind = tenant_admin_kind(admin.site.get_model_admin(related))
        if kind == "catalogue":
            # Shared with every company: alice may search it all.
            assert response.status_code == 200
            assert response.json()["results"]
        else:
            # Site-wide rows such as the users, bob of Borealis among them: only
            # superusers may search them.
            assert kind == "django", kind
            assert response.status_code == 403
        return
    assert response.status_code == 200
    returned = {int(item["id"]) for item in response.json()["results"]}
    assert returned, "autocomplete should offer alice her own objects"
    theirs = set(
        related._default_manager.filter(
            **{controller_lookup(related): beta.controller.pk}
        ).values_list("pk", flat=True)
    )
    assert not returned & theirs
    assert LEAK not in response.content.decode().lower()


def test_autocomplete_search_for_other_controllers_name_finds_nothing(
    alice_client: Client, acme, beta
):
    response = alice_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "notices",
            "model_name": "registerprocessor",
            "field_name": "processor",
            "term": "Borealis",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


# --- Writing: a POST naming another controller's object is refused -----------------


def form_data(response) -> dict[str, Any]:
    """The POST data that would resubmit the admin change form as it was rendered."""
    data: dict[str, Any] = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or isinstance(value, File):
                continue
            if isinstance(value, bool) and isinstance(form.fields[name], ChoiceField):
                data[key] = str(value)  # a yes/no answer chosen from "True", "False", ""
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for form in formset.forms:
            add(form)
    return data


def tenant_relations(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.get_fields()
        if field.concrete
        and (field.many_to_one or field.many_to_many)
        and is_tenant_model(field.related_model)
        and field.name != "controller"
    ]


def snapshot(obj: models.Model) -> dict[str, Any]:
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    values = {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}
    for field in fresh._meta.many_to_many:
        values[field.name] = sorted(getattr(fresh, field.name).values_list("pk", flat=True))
    return values


def unchanged_post_is_accepted(client: Client, model, obj) -> dict[str, Any]:
    page = client.get(url(model, "change", obj.pk))
    data = form_data(page)
    response = client.post(url(model, "change", obj.pk), data)
    assert response.status_code == 302, getattr(response, "context", None) and [
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"]],
    ]
    return data


EDITABLE = [(m, a) for m, a in TENANT_ADMINS if a.members_can_change]


@pytest.mark.parametrize(("model", "model_admin"), EDITABLE, ids=ids(EDITABLE))
def test_post_attaching_other_controllers_object_is_refused(
    model, model_admin, alice_client: Client, acme, beta
):
    own = object_of(model, acme)
    data = unchanged_post_is_accepted(alice_client, model, own)
    before = snapshot(own)
    tried = 0

    # Relations of the main form.
    for field in tenant_relations(model):
        if field.name not in data:
            continue
        theirs = object_of(field.related_model, beta)
        tampered = dict(data)
        tampered[field.name] = [str(theirs.pk)] if field.many_to_many else str(theirs.pk)
        response = alice_client.post(url(model, "change", own.pk), tampered)
        assert response.status_code == 200, field.name
        assert response.context["adminform"].form.errors.get(field.name), field.name
        tried += 1

    # Relations inside each inline, and the inline rows' own ids.
    page = alice_client.get(url(model, "change", own.pk))
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        if not formset.forms:
            continue
        prefix = formset.forms[0].prefix
        child_model = formset.model
        targets = [f for f in tenant_relations(child_model) if f.name != formset.fk.name]
        for field in targets:
            key = f"{prefix}-{field.name}"
            if key not in data:
                continue
            theirs = object_of(field.related_model, beta)
            tampered = dict(data)
            tampered[key] = [str(theirs.pk)] if field.many_to_many else str(theirs.pk)
            response = alice_client.post(url(model, "change", own.pk), tampered)
            assert response.status_code == 200, key
            tried += 1
        theirs_row = object_of(child_model, beta)
        tampered = dict(data)
        tampered[f"{prefix}-id"] = str(theirs_row.pk)
        row_before = snapshot(theirs_row)
        response = alice_client.post(url(model, "change", own.pk), tampered)
        assert response.status_code == 200, f"{prefix}-id"
        assert snapshot(theirs_row) == row_before
        tried += 1

    assert snapshot(own) == before
    if tenant_relations(model) or model_admin.inlines:
        assert tried > 0


def inlines_of(admins: list[tuple[type[models.Model], Any]]) -> list[tuple[type, type, str]]:
    """Every (parent model, inline's model, inline's name) of ``admins``."""
    return [
        (model, inline.model, inline.__name__)
        for model, model_admin in admins
        for inline in model_admin.inlines
    ]


INLINES = inlines_of(EDITABLE)


@pytest.mark.parametrize("delete", [False, True], ids=["kept", "deleted"])
@pytest.mark.parametrize(
    ("model", "child_model", "name"), INLINES, ids=[name for _m, _c, name in INLINES]
)
def test_inline_row_naming_other_controllers_row_is_a_form_error(
    model, child_model, name, delete, alice_client: Client, acme, beta
):
    """With DELETE ticked or not, the row is refused with an error alice sees."""
    own = object_of(model, acme)
    data = unchanged_post_is_accepted(alice_client, model, own)
    page = alice_client.get(url(model, "change", own.pk))
    formset = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is child_model
    )
    assert formset.forms, f"fixture has no {child_model.__name__} row of {own}"
    prefix = formset.forms[0].prefix
    theirs = object_of(child_model, beta)
    row_before = snapshot(theirs)
    tampered = dict(data)
    tampered[f"{prefix}-id"] = str(theirs.pk)
    if delete:
        tampered[f"{prefix}-DELETE"] = "on"

    response = alice_client.post(url(model, "change", own.pk), tampered)

    assert response.status_code == 200
    refused = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is child_model
    )
    assert refused.non_form_errors() or any(form.errors for form in refused.forms)
    assert snapshot(theirs) == row_before
    assert LEAK not in response.content.decode().lower()


# --- Other admins -----------------------------------------------------------------------


@pytest.mark.parametrize(("model", "model_admin"), CATALOGUE_ADMINS, ids=ids(CATALOGUE_ADMINS))
def test_catalogues_are_read_only_for_members(model, model_admin, alice_client: Client, acme):
    obj = model._default_manager.first()
    assert alice_client.get(url(model, "changelist")).status_code == 200
    assert alice_client.get(url(model, "change", obj.pk)).status_code == 200
    assert alice_client.get(url(model, "add")).status_code == 403
    assert alice_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(("model", "model_admin"), OTHER_ADMINS, ids=ids(OTHER_ADMINS))
def test_site_admins_are_closed_to_members(model, model_admin, alice_client: Client, acme):
    assert alice_client.get(url(model, "changelist")).status_code == 403


@pytest.mark.parametrize(("model", "model_admin"), TENANT_ADMINS, ids=ids(TENANT_ADMINS))
def test_user_of_no_company_sees_nothing(model, model_admin, charlie, alice, acme, beta):
    # Membership grants admin access: a user of no company is sent to the login page.
    client = login(charlie)
    for address in (url(model, "changelist"), url(model, "change", object_of(model, acme).pk)):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_superuser_sees_every_company(root, acme, beta):
    response = login(root).get(url(Register, "changelist"))
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert {acme.register.pk, beta.register.pk} <= shown


def test_member_of_two_companies_cannot_mix_their_objects(alice, acme, beta):
    """dave edits both; Acme's processor still cannot go into Borealis's register."""
    Membership.objects.create(user=alice, controller=beta.controller)
    client = login(alice)
    data = unchanged_post_is_accepted(client, Register, beta.register)
    prefix = "register_processors-0"
    assert data[f"{prefix}-processor"] == str(beta.processor.pk)
    data[f"{prefix}-processor"] = str(acme.processor.pk)
    response = client.post(url(Register, "change", beta.register.pk), data)
    assert response.status_code == 200
    assert beta.register.register_processors.get().processor == beta.processor


def offered(field) -> set[int]:
    """The primary keys a choice field offers."""
    return set(field.queryset.values_list("pk", flat=True))


def test_register_page_offers_its_own_controllers_objects_and_its_own_parts(alice, acme, beta):
    """alice edits both companies: Acme's page offers nothing of Borealis or of Acme's
    other register, though both are hers."""
    Membership.objects.create(user=alice, controller=beta.controller)
    staff = Register.objects.create(controller=acme.controller, name_fi="Henkilöstö", slug="staff")
    staff_category = staff.data_categories.create(name_fi="Palkkatiedot")
    page = login(alice).get(url(Register, "change", acme.register.pk))
    assert page.status_code == 200

    form = page.context["adminform"].form
    assert offered(form.fields["contact_person"]) == {acme.contact.pk}
    rows = {
        inline.formset.prefix: inline.formset for inline in page.context["inline_admin_formsets"]
    }
    retention = rows["retention_rules"].forms[0]
    assert offered(retention.fields["data_category"]) == {acme.category.pk}
    assert staff_category.pk not in offered(retention.fields["data_category"])
    assert offered(rows["transfers"].forms[0].fields["processor"]) == {acme.processor.pk}


def test_new_register_gets_editors_controller_not_one_from_the_form(
    alice_client: Client, acme, beta
):
    page = alice_client.get(url(Register, "add"))
    data = form_data(page)
    data.update(
        {
            "name_fi": "Uusi rekisteri",
            "slug": "uusi",
            "controller": str(beta.controller.pk),  # ignored: not a field for alice
        }
    )
    response = alice_client.post(url(Register, "add"), data)
    assert response.status_code == 302
    created = Register.objects.get(slug="uusi")
    assert created.controller == acme.controller
    assert created.rights.count() == 8
    assert not Register.objects.filter(controller=beta.controller, slug="uusi").exists()


def test_controller_admin_lists_only_own_company(alice_client: Client, acme, beta):
    response = alice_client.get(url(Controller, "changelist"))
    assert [c.pk for c in response.context["cl"].result_list] == [acme.controller.pk]


# --- Django's "view on site" redirect ------------------------------------------------


@pytest.mark.parametrize(("model", "model_admin"), TENANT_ADMINS, ids=ids(TENANT_ADMINS))
def test_view_on_site_tells_no_one_whether_another_controllers_id_exists(
    model, model_admin, alice_client: Client, acme, beta, settings
):
    """With DEBUG on, another company's object reads exactly as a missing one."""
    from django.contrib.contenttypes.models import ContentType

    settings.DEBUG = True
    content_type = ContentType.objects.get_for_model(model)
    missing = model._default_manager.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    answers = []
    for pk in (object_of(model, beta).pk, missing):
        address = reverse("admin:view_on_site", args=[content_type.pk, pk])
        response = alice_client.get(address)
        assert response.status_code == 404
        # The page repeats the address asked for; all else must be the same.
        answers.append(response.content.replace(f"{content_type.pk}/{pk}/".encode(), b""))
    assert answers[0] == answers[1]
    assert LEAK not in answers[0].decode().lower()
