"""Every validation rule, exercised through the real admin forms as alice (editor of Acme).

Each refused submission must come back as the redisplayed form (200) with the rule's
own message on the right field, and must leave the database exactly as it was: a
register page is one transaction, so nothing of it is lost or half-saved.
"""

from __future__ import annotations

import io
import itertools
import os
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from PIL import Image

from controllers.models import Controller
from controllers.validators import business_id_check_digit, validate_business_id
from notices.forms import DataCategoryForm
from notices.models import (
    DataCategory,
    DataSubjectGroup,
    LegalBasis,
    Purpose,
    Register,
    RegisterRight,
    Right,
    Transfer,
)
from tests.conftest import Tenant, login
from tests.test_isolation import form_data, snapshot, url

BUSINESS_ID_FORMAT = (
    "Enter the business ID as seven digits, a hyphen and a check digit, e.g. 1234567-1."
)
BRAND_COLOR = "Enter the colour as # and six hexadecimal digits, e.g. #1a5fb4."
LEGITIMATE_INTEREST = (
    "Describe the legitimate interest pursued: this purpose rests on Art. 6(1)(f)."
)
SLUG_TAKEN = "The controller already has a register with this address name."


# --- Submitting an admin form and reading what came back ---------------------------


def submit(
    client: Client,
    address: str,
    changes: dict[str, Any] | None = None,
    *,
    new_rows: dict[str, list[dict[str, Any]]] | None = None,
    files: dict[str, SimpleUploadedFile] | None = None,
):
    """Open the admin page at ``address``, change what it shows and post it back.

    ``changes`` maps POST keys to values; None leaves the key out (an unticked box).
    ``new_rows`` adds rows to inline formsets by prefix, e.g. {"transfers": [{...}]}.
    """
    page = client.get(address)
    assert page.status_code == 200
    data = form_data(page)
    for prefix, rows in (new_rows or {}).items():
        for row in rows:
            index = int(data[f"{prefix}-TOTAL_FORMS"])
            data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
            data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    for key, value in (changes or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return client.post(address, {**data, **(files or {})})


def register_page(register: Register) -> str:
    return url(Register, "change", register.pk)


def controller_page(controller: Controller) -> str:
    return url(Controller, "change", controller.pk)


def form_of(response, inline: str | None = None, row: int = 0):
    """The main form of the response, or row ``row`` of the inline with prefix ``inline``."""
    assert response.status_code == 200, "the form should be redisplayed, not saved"
    if inline is None:
        return response.context["adminform"].form
    for inline_formset in response.context["inline_admin_formsets"]:
        if inline_formset.formset.prefix == inline:
            return inline_formset.formset.forms[row]
    raise AssertionError(f"no inline {inline!r} on the page")


def errors_on(response, field: str, inline: str | None = None, row: int = 0):
    return form_of(response, inline, row).errors.as_data().get(field, [])


def assert_error(response, field: str, message: str, inline: str | None = None, row: int = 0):
    """``message`` is an error of ``field`` and is shown on the page."""
    messages = [m for error in errors_on(response, field, inline, row) for m in error.messages]
    assert message in messages, messages
    assert escape(message) in response.content.decode()


def assert_error_code(response, field: str, code: str, inline: str | None = None, row: int = 0):
    codes = [error.code for error in errors_on(response, field, inline, row)]
    assert code in codes, codes


def assert_saved(response) -> None:
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
        [f.formset.non_form_errors() for f in response.context["inline_admin_formsets"]],
    ]


def assert_page_language(response, language: str) -> None:
    assert f'<html lang="{language}"' in response.content.decode()


def stored(obj: models.Model) -> dict[str, Any]:
    """Every stored value of ``obj``, read the same way whatever language a request left on."""
    with translation.override("fi"):
        return snapshot(obj)


def register_state(register: Register) -> dict[str, Any]:
    """Every stored value of ``register`` and of all its parts, relations included."""
    with translation.override("fi"):
        state: dict[str, Any] = {"register": snapshot(register)}
        for relation in Register._meta.related_objects:
            if not relation.one_to_many:
                continue
            model = relation.related_model
            rows = model._default_manager.filter(**{relation.field.name: register}).order_by("pk")
            state[relation.name] = list(rows.values())
            for m2m in model._meta.many_to_many:
                state[f"{relation.name}.{m2m.name}"] = list(rows.values_list("pk", m2m.name))
    return state


def rights_row(register: Register, code: str) -> int:
    """The row of the right ``code`` in the rights inline of the register's page."""
    shown = register.rights.order_by("order", "pk").values_list("right__code", flat=True)
    return list(shown).index(code)


def basis(code: str) -> str:
    return str(LegalBasis.objects.get(code=code).pk)


# --- Business ID ---------------------------------------------------------------------


WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def seven_digits_with_remainder(remainder: int) -> str:
    """The first seven digits (not all zeros) whose weighted sum leaves ``remainder`` mod 11.

    Found by brute force, independently of the code under test.
    """
    for digits in itertools.product("0123456789", repeat=7):
        weighted = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True))
        if weighted and weighted % 11 == remainder:
            return "".join(digits)
    raise AssertionError(f"no seven digits leave remainder {remainder}")


@pytest.mark.parametrize(
    ("digits", "check"),
    [("1234567", 1), ("7654321", 2), ("0112038", 9), ("3118706", 6)],
)
def test_check_digit_of_known_business_ids(digits, check):
    assert business_id_check_digit(digits) == check


def test_check_digit_is_zero_when_weighted_sum_divides_by_eleven():
    digits = seven_digits_with_remainder(0)
    assert business_id_check_digit(digits) == 0
    validate_business_id(f"{digits}-0")


def test_no_check_digit_exists_when_remainder_is_one():
    """Such seven digits are never given out: every check digit must be refused."""
    digits = seven_digits_with_remainder(1)
    assert business_id_check_digit(digits) is None
    for check in range(10):
        with pytest.raises(ValidationError) as caught:
            validate_business_id(f"{digits}-{check}")
        assert caught.value.code == "business_id_checksum"


@pytest.mark.parametrize("value", ["123", "1234567", "12345671", "1234567-", "123456-71", ""])
def test_business_id_validator_refuses_wrong_format(value):
    with pytest.raises(ValidationError) as caught:
        validate_business_id(value)
    assert caught.value.code == "business_id_format"


def test_controller_with_badly_formatted_business_id_is_refused(alice_client, acme: Tenant):
    before = stored(acme.controller)
    response = submit(alice_client, controller_page(acme.controller), {"business_id": "123"})
    assert_error(response, "business_id", BUSINESS_ID_FORMAT)
    assert_page_language(response, "en")
    assert stored(acme.controller) == before


def test_controller_with_wrong_check_digit_is_refused(alice_client, acme: Tenant):
    before = stored(acme.controller)
    response = submit(alice_client, controller_page(acme.controller), {"business_id": "1234567-2"})
    assert_error(response, "business_id", "The business ID 1234567-2 has a wrong check digit.")
    assert stored(acme.controller) == before


@pytest.mark.parametrize(
    ("value", "code"), [("123", "business_id_format"), ("1234567-2", "business_id_checksum")]
)
def test_business_id_errors_in_finnish_admin(alice, acme: Tenant, value, code):
    before = stored(acme.controller)
    response = submit(login(alice, "fi"), controller_page(acme.controller), {"business_id": value})
    assert_error_code(response, "business_id", code)
    assert_page_language(response, "fi")
    assert stored(acme.controller) == before


@pytest.mark.parametrize("value", ["1234567-1", "0112038-9"])
def test_controller_with_valid_business_id_is_saved(alice_client, acme: Tenant, value):
    response = submit(alice_client, controller_page(acme.controller), {"business_id": value})
    assert_saved(response)
    acme.controller.refresh_from_db()
    assert acme.controller.business_id == value


# --- Brand colour -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1a5fb4", "#fff", "#1a5fb", "#1a5fbg", "red"])
def test_brand_colour_must_be_hash_and_six_hex_digits(alice_client, acme: Tenant, value):
    before = stored(acme.controller)
    response = submit(alice_client, controller_page(acme.controller), {"brand_color": value})
    assert_error(response, "brand_color", BRAND_COLOR)
    assert stored(acme.controller) == before


def test_brand_colour_in_hex_is_saved(alice_client, acme: Tenant):
    response = submit(alice_client, controller_page(acme.controller), {"brand_color": "#A0b1C2"})
    assert_saved(response)
    acme.controller.refresh_from_db()
    assert acme.controller.brand_color == "#A0b1C2"


# --- Logo -----------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(width: int, height: int, *, noise: bool = False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), "#1a5fb4")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload_logo(client: Client, controller: Controller, name: str, content: bytes, kind: str):
    logo = SimpleUploadedFile(name, content, content_type=kind)
    return submit(client, controller_page(controller), files={"logo": logo})


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_logo_that_is_not_an_image_is_refused(alice_client, acme: Tenant, media):
    response = upload_logo(
        alice_client, acme.controller, "logo.png", b"just some text\n", "image/png"
    )
    assert_error_code(response, "logo", "invalid_image")
    acme.controller.refresh_from_db()
    assert not acme.controller.logo
    assert stored_files(media) == []


def test_svg_logo_with_script_is_refused(alice_client, acme: Tenant, media):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
    )
    response = upload_logo(alice_client, acme.controller, "logo.svg", svg, "image/svg+xml")
    assert_error_code(response, "logo", "invalid_image")
    acme.controller.refresh_from_db()
    assert not acme.controller.logo
    assert stored_files(media) == []


def test_logo_larger_than_allowed_bytes_is_refused(alice_client, acme: Tenant, media, settings):
    settings.LOGO_MAX_BYTES = 4 * 1024
    content = png(64, 64, noise=True)
    assert len(content) > settings.LOGO_MAX_BYTES
    response = upload_logo(alice_client, acme.controller, "logo.png", content, "image/png")
    assert_error(
        response,
        "logo",
        f"The logo is {len(content) // 1024} KB; the largest allowed is 4 KB.",
    )
    acme.controller.refresh_from_db()
    assert not acme.controller.logo
    assert stored_files(media) == []


def test_logo_wider_than_allowed_pixels_is_refused(alice_client, acme: Tenant, media, settings):
    limit = settings.LOGO_MAX_DIMENSION
    content = png(limit + 1, 1)
    response = upload_logo(alice_client, acme.controller, "logo.png", content, "image/png")
    assert_error(
        response,
        "logo",
        f"The logo is {limit + 1}×1 pixels; at most {limit} pixels a side is allowed.",
    )
    acme.controller.refresh_from_db()
    assert not acme.controller.logo
    assert stored_files(media) == []


def test_small_png_logo_is_saved(alice_client, acme: Tenant, media):
    response = upload_logo(alice_client, acme.controller, "logo.png", png(32, 32), "image/png")
    assert_saved(response)
    acme.controller.refresh_from_db()
    assert acme.controller.logo.name.startswith("logos/")
    assert (media / acme.controller.logo.name).is_file()


# --- Register -------------------------------------------------------------------------


def test_duplicate_register_slug_within_controller_is_refused(alice_client, acme: Tenant):
    registers = Register.objects.count()
    rights = RegisterRight.objects.count()
    response = submit(
        alice_client, url(Register, "add"), {"name_fi": "Toinen rekisteri", "slug": "customers"}
    )
    assert_error(response, "__all__", SLUG_TAKEN)
    assert Register.objects.count() == registers
    assert RegisterRight.objects.count() == rights


def test_slug_of_another_controllers_register_is_free(alice_client, acme: Tenant, beta: Tenant):
    # Both fixtures' registers are called "customers": the rule is per controller.
    assert beta.register.slug == acme.register.slug == "customers"
    Register.objects.create(controller=beta.controller, name_fi="Uutiskirje", slug="newsletter")
    response = submit(
        alice_client, url(Register, "add"), {"name_fi": "Uutiskirje", "slug": "newsletter"}
    )
    assert_saved(response)
    assert Register.objects.filter(slug="newsletter").count() == 2
    assert_saved(submit(alice_client, register_page(acme.register)))


def test_automated_decisions_ticked_need_a_description(alice_client, acme: Tenant):
    before = register_state(acme.register)
    response = submit(
        alice_client,
        register_page(acme.register),
        {"has_automated_decisions": "True", "automated_decisions_fi": " "},
    )
    assert_error(
        response,
        "automated_decisions_fi",
        "Describe the automated decision-making: its logic and consequences.",
    )
    assert register_state(acme.register) == before


def test_automated_decisions_with_description_are_saved(alice_client, acme: Tenant):
    response = submit(
        alice_client,
        register_page(acme.register),
        {"has_automated_decisions": "True", "automated_decisions_fi": "Luottopäätös."},
    )
    assert_saved(response)
    acme.register.refresh_from_db()
    assert acme.register.has_automated_decisions is True


def test_invalid_inline_saves_neither_register_nor_other_rows(alice_client, acme: Tenant):
    """One bad row refuses the whole page: nothing is lost or half-saved."""
    before = register_state(acme.register)
    response = submit(
        alice_client,
        register_page(acme.register),
        {
            "name_fi": "Uusi nimi",  # a valid change of the register itself
            "sources-0-name_fi": "Uusi lähde",  # a valid change of another inline
            "cookies-0-category": "marketing",
            "cookies-0-name": "",  # the invalid row: a cookie without a name
        },
        new_rows={"recipients": [{"name_fi": "Uusi vastaanottaja", "order": "1"}]},
    )
    assert_error(response, "name", "This field is required.", inline="cookies")
    assert register_state(acme.register) == before


# --- Purposes -------------------------------------------------------------------------


def test_legitimate_interest_basis_needs_the_interest(alice_client, acme: Tenant):
    before = register_state(acme.register)
    response = submit(
        alice_client,
        register_page(acme.register),
        {"purposes-0-legal_bases": [basis("6-1-f")], "purposes-0-legitimate_interest_fi": ""},
    )
    assert_error(response, "legitimate_interest_fi", LEGITIMATE_INTEREST, inline="purposes")
    assert_page_language(response, "en")
    assert register_state(acme.register) == before


def test_legitimate_interest_error_in_finnish_admin(alice, acme: Tenant):
    before = register_state(acme.register)
    response = submit(
        login(alice, "fi"),
        register_page(acme.register),
        {"purposes-0-legal_bases": [basis("6-1-f")], "purposes-0-legitimate_interest_fi": ""},
    )
    assert_error_code(
        response, "legitimate_interest_fi", "legitimate_interest_missing", inline="purposes"
    )
    assert_page_language(response, "fi")
    assert register_state(acme.register) == before


def test_new_purpose_on_legitimate_interest_without_interest_is_not_added(
    alice_client, acme: Tenant
):
    before = register_state(acme.register)
    response = submit(
        alice_client,
        register_page(acme.register),
        new_rows={
            "purposes": [
                {"order": "1", "name_fi": "Suoramarkkinointi", "legal_bases": [basis("6-1-f")]}
            ]
        },
    )
    assert_error(response, "legitimate_interest_fi", LEGITIMATE_INTEREST, inline="purposes", row=1)
    assert register_state(acme.register) == before


def test_legitimate_interest_basis_with_the_interest_is_saved(alice_client, acme: Tenant):
    response = submit(
        alice_client,
        register_page(acme.register),
        {
            "purposes-0-legal_bases": [basis("6-1-b"), basis("6-1-f")],
            "purposes-0-legitimate_interest_fi": "Asiakassuhteen hoitaminen.",
        },
    )
    assert_saved(response)
    purpose = Purpose.objects.get(pk=acme.purpose.pk)
    assert purpose.legitimate_interest_fi == "Asiakassuhteen hoitaminen."
    assert set(purpose.legal_bases.values_list("code", flat=True)) == {"6-1-b", "6-1-f"}


# --- Data categories -------------------------------------------------------------------


@pytest.fixture
def other_register(acme: Tenant) -> Register:
    """A second register of Acme, with a group and a data category of its own."""
    register = Register.objects.create(
        controller=acme.controller, name_fi="Henkilöstörekisteri", slug="staff"
    )
    DataSubjectGroup.objects.create(register=register, name_fi="Työntekijät")
    DataCategory.objects.create(register=register, name_fi="Palkkatiedot")
    return register


def test_data_category_cannot_name_group_of_another_register(
    alice_client, acme: Tenant, other_register: Register
):
    before = register_state(acme.register)
    others_group = other_register.subject_groups.get()
    response = submit(
        alice_client,
        register_page(acme.register),
        {"data_categories-0-subject_groups": [str(acme.group.pk), str(others_group.pk)]},
    )
    # The page offers only the register's own groups; a forged choice is refused
    # either as not offered or by the form's own rule.
    codes = {e.code for e in errors_on(response, "subject_groups", inline="data_categories")}
    assert codes & {"invalid_choice", "invalid_pk_value", "other_register"}, codes
    assert register_state(acme.register) == before


def test_data_category_form_refuses_group_of_another_register(
    acme: Tenant, other_register: Register
):
    """The form's own rule, for any page that would offer every group of the controller."""

    class Form(DataCategoryForm):
        class Meta:
            model = DataCategory
            fields = ["register", "order", "name_fi", "subject_groups"]

    others_group = other_register.subject_groups.get()
    form = Form(
        data={
            "register": str(acme.register.pk),
            "order": "0",
            "name_fi": "Yhteystiedot",
            "subject_groups": [str(others_group.pk)],
        }
    )
    with translation.override("en"):
        assert not form.is_valid()
        assert form.errors["subject_groups"] == [
            f"“{others_group}” is a group of another register."
        ]


# --- Transfers outside the EU/EEA ------------------------------------------------------


def test_transfer_to_eea_country_is_refused(alice_client, acme: Tenant):
    before = register_state(acme.register)
    response = submit(alice_client, register_page(acme.register), {"transfers-0-country": "DE"})
    assert_error(
        response,
        "country",
        "Germany is in the EU/EEA: that is not a transfer outside it.",
        inline="transfers",
    )
    assert register_state(acme.register) == before


def test_transfer_needs_a_processor_or_a_recipient(alice_client, acme: Tenant):
    before = register_state(acme.register)
    response = submit(
        alice_client,
        register_page(acme.register),
        {
            "transfers-0-processor": "",
            "transfers-0-recipient_fi": "",
            "transfers-0-recipient_en": "",
        },
    )
    assert_error(
        response,
        "recipient_fi",
        "Name the recipient or choose one of the processors.",
        inline="transfers",
    )
    assert register_state(acme.register) == before


def test_transfer_to_third_country_with_recipient_is_saved(alice_client, acme: Tenant):
    response = submit(
        alice_client,
        register_page(acme.register),
        new_rows={
            "transfers": [
                {
                    "order": "1",
                    "country": "GB",
                    "recipient_fi": "Kumppani Ltd",
                    "safeguard": "adequacy",
                }
            ]
        },
    )
    assert_saved(response)
    transfer = Transfer.objects.get(register=acme.register, country="GB")
    assert transfer.recipient_fi == "Kumppani Ltd"
    assert transfer.processor is None


# --- Retention ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"retention_rules-0-period": "5", "retention_rules-0-period_unit": ""},
            "period_unit",
            "Choose the unit of the period.",
        ),
        (
            {"retention_rules-0-period": "", "retention_rules-0-period_unit": "years"},
            "period",
            "Give the period as a number.",
        ),
        (
            {
                "retention_rules-0-period": "",
                "retention_rules-0-period_unit": "",
                "retention_rules-0-criteria_fi": "",
            },
            "criteria_fi",
            "Give a retention period or describe the criteria.",
        ),
    ],
    ids=["period-without-unit", "unit-without-period", "neither-period-nor-criteria"],
)
def test_incomplete_retention_rule_is_refused(alice_client, acme: Tenant, changes, field, message):
    before = register_state(acme.register)
    response = submit(alice_client, register_page(acme.register), changes)
    assert_error(response, field, message, inline="retention_rules")
    assert register_state(acme.register) == before


def test_retention_by_criteria_alone_is_saved(alice_client, acme: Tenant):
    response = submit(
        alice_client,
        register_page(acme.register),
        {
            "retention_rules-0-period": "",
            "retention_rules-0-period_unit": "",
            "retention_rules-0-criteria_fi": "Kunnes asiakassuhde päättyy.",
        },
    )
    assert_saved(response)
    acme.retention.refresh_from_db()
    assert acme.retention.period is None
    assert acme.retention.criteria_fi == "Kunnes asiakassuhde päättyy."


def test_retention_rule_cannot_name_category_of_another_register(
    alice_client, acme: Tenant, other_register: Register
):
    before = register_state(acme.register)
    others_category = other_register.data_categories.get()
    response = submit(
        alice_client,
        register_page(acme.register),
        {"retention_rules-0-data_category": str(others_category.pk)},
    )
    # Only the register's own categories are offered; another one is refused either as
    # not offered or by the model's own rule.
    codes = {e.code for e in errors_on(response, "data_category", inline="retention_rules")}
    assert codes & {"invalid_choice", "other_register"}, codes
    assert register_state(acme.register) == before


# --- Cookies -----------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "stored_as"), [("", None), ("False", False), ("True", True)])
def test_cookie_states_consent_only_as_the_editor_chose(
    alice_client, acme: Tenant, answer, stored_as
):
    """Consent is the company's statement: not stated, not required or required, as chosen.

    A statistics cookie without consent is a contradiction the publish page warns
    about; the form never forces a statement, nor a duration.
    """
    response = submit(
        alice_client,
        register_page(acme.register),
        {
            "cookies-0-category": "statistics",
            "cookies-0-consent_required": answer,
            "cookies-0-duration_fi": "",
        },
    )
    assert_saved(response)
    acme.cookie.refresh_from_db()
    assert acme.cookie.consent_required is stored_as
    assert not acme.cookie.duration_fi


# --- Rights of the data subject -----------------------------------------------------------


def test_mandatory_right_cannot_be_left_out(alice_client, acme: Tenant):
    address = register_page(acme.register)
    row = rights_row(acme.register, "access")
    before = register_state(acme.register)
    response = submit(alice_client, address, {f"rights-{row}-included": None})
    access = Right.objects.get(code="access")
    assert_error(
        response,
        "included",
        f"“{access.name_en}” always applies and cannot be left out.",
        inline="rights",
        row=row,
    )
    assert register_state(acme.register) == before


def test_omittable_right_can_be_left_out(alice_client, acme: Tenant):
    address = register_page(acme.register)
    row = rights_row(acme.register, "portability")
    assert_saved(submit(alice_client, address, {f"rights-{row}-included": None}))
    portability = acme.register.rights.get(right__code="portability")
    assert portability.included is False
