"""Issue 13, point 4: a register's rows check what they chose in one query per relation.

``controllers.tenancy.forms``: a formset's rows look their chosen objects (a
purpose's legal bases, a processor, a right) and their own ids up together, and
the model does not ask again whether an object the form found exists. These
tests hold that nothing is accepted that Django's own fields would refuse, with
the same error, and that what is accepted is saved as chosen.
"""

from __future__ import annotations

import pytest
from django import forms

from notices.models import LegalBasis, Processor, RegisterProcessor
from tests.conftest import Tenant
from tests.test_validation import (
    assert_saved,
    errors_on,
    register_page,
    register_state,
    submit,
)

pytestmark = [pytest.mark.django_db]

# A value no row could have been offered, a malformed one, one with a NUL character
# (PostgreSQL refuses it in a query), a negative id and a list where one value goes.
REFUSED = ["999999", "abc", "1\x00", "-1", "1.5"]


def django_codes(field: forms.Field, value) -> set[str]:  # type: ignore[no-untyped-def]
    """The error codes Django's own field gives ``value``."""
    try:
        field.clean(value)
    except forms.ValidationError as error:
        return {e.code for e in error.error_list}
    raise AssertionError(f"Django's field accepts {value!r}")


@pytest.mark.parametrize("value", REFUSED)
def test_a_purposes_unknown_or_malformed_legal_basis_is_refused_as_django_would(
    alice_client, acme: Tenant, value: str
) -> None:
    before = register_state(acme.register)
    chosen = [str(b.pk) for b in LegalBasis.objects.order_by("pk")[:2]]
    response = submit(
        alice_client,
        register_page(acme.register),
        {"purposes-0-legal_bases": [*chosen, value]},
        # A second row that chooses validly: the rows are looked up together.
        new_rows={"purposes": [{"name_fi": "Toinen", "order": "2", "legal_bases": chosen}]},
    )
    codes = {e.code for e in errors_on(response, "legal_bases", inline="purposes")}
    expected = django_codes(forms.ModelMultipleChoiceField(LegalBasis.objects.all()), [value])
    assert codes == expected
    assert not errors_on(response, "legal_bases", inline="purposes", row=1)
    assert register_state(acme.register) == before


@pytest.mark.parametrize("value", REFUSED)
def test_a_processor_rows_unknown_or_malformed_processor_is_refused_as_django_would(
    alice_client, acme: Tenant, value: str
) -> None:
    before = register_state(acme.register)
    response = submit(
        alice_client, register_page(acme.register), {"register_processors-0-processor": value}
    )
    codes = {e.code for e in errors_on(response, "processor", inline="register_processors")}
    assert codes == django_codes(forms.ModelChoiceField(Processor.objects.all()), value)
    assert register_state(acme.register) == before


def test_another_controllers_processor_is_refused_though_a_row_of_ours_chose_it_too(
    alice_client, acme: Tenant, beta: Tenant
) -> None:
    """The rows' one query asks only among the register's own choices."""
    before = register_state(acme.register)
    theirs = str(beta.processor.pk)
    response = submit(
        alice_client,
        register_page(acme.register),
        {"register_processors-0-processor": theirs},
        new_rows={
            "register_processors": [
                {"processor": str(acme.processor.pk), "processes_fi": "Tiedot", "order": "2"}
            ]
        },
    )
    codes = {e.code for e in errors_on(response, "processor", inline="register_processors")}
    assert codes == {"invalid_choice"}
    assert register_state(acme.register) == before


def test_a_row_id_that_is_not_a_number_is_refused(alice_client, acme: Tenant) -> None:
    before = register_state(acme.register)
    response = submit(alice_client, register_page(acme.register), {"purposes-0-id": "abc"})
    assert response.status_code == 200
    codes = {e.code for e in errors_on(response, "id", inline="purposes")}
    assert codes == {"invalid_choice"}
    assert register_state(acme.register) == before


def test_chosen_legal_bases_are_saved_each_once_whatever_their_order(
    alice_client, acme: Tenant
) -> None:
    first, second, third = (str(b.pk) for b in LegalBasis.objects.order_by("pk")[:3])
    response = submit(
        alice_client,
        register_page(acme.register),
        {"purposes-0-legal_bases": [third, first, third]},
        new_rows={"purposes": [{"name_fi": "Toinen", "order": "2", "legal_bases": [second]}]},
    )
    assert_saved(response)
    assert {str(b.pk) for b in acme.purpose.legal_bases.all()} == {first, third}
    added = acme.register.purposes.get(name_fi="Toinen")
    assert [str(b.pk) for b in added.legal_bases.all()] == [second]


def test_a_processor_row_saves_the_processor_it_chose(alice_client, acme: Tenant) -> None:
    other = Processor.objects.create(
        controller=acme.controller, name_fi="Toinen käsittelijä", service_fi="Palvelu", country="SE"
    )
    response = submit(
        alice_client,
        register_page(acme.register),
        {"register_processors-0-processor": str(other.pk)},
    )
    assert_saved(response)
    assert RegisterProcessor.objects.get(pk=acme.register_processor.pk).processor == other


def test_the_same_processor_twice_is_still_refused_by_the_registers_constraint(
    alice_client, acme: Tenant
) -> None:
    """Leaving the model's own existence check out keeps its uniqueness rules."""
    before = register_state(acme.register)
    response = submit(
        alice_client,
        register_page(acme.register),
        new_rows={
            "register_processors": [
                {"processor": str(acme.processor.pk), "processes_fi": "Tiedot", "order": "2"}
            ]
        },
    )
    assert response.status_code == 200
    assert "Please correct the duplicate data for processor." in response.content.decode()
    assert register_state(acme.register) == before
