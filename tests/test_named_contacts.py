"""Two named contacts and processors named without their function (the Secapp notice).

"…tietosuojavastaava on X, x@…, tai markkinoinnista vastaava Y": where the controller
names a data protection officer, a further contact person may be named by name only;
"Pipedrive CRM: asiakkuuksiin liittyviä tietoja": a processor named, with what it holds
and no word on what it does.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from controllers.models import ContactPerson
from notices.models import Processor
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _finnish():
    # The untranslated field is the active language's column: an earlier test may have
    # left another language active.
    with translation.override("fi"):
        yield


def test_a_contact_person_needs_an_email_unless_a_dpo_is_named(acme: Tenant):
    person = ContactPerson(controller=acme.controller, name_fi="Matti Malli", email="")
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert [e.code for e in refused.value.error_dict["email"]] == ["contact_email_missing"]
    acme.controller.dpo_name = "Anna Esimerkki"
    acme.controller.dpo_email = "tietosuoja@acme.example.com"
    acme.controller.full_clean()
    acme.controller.save()
    person.full_clean()
    person.save()
    assert ContactPerson.objects.get(pk=person.pk).email == ""


def test_a_processor_needs_a_name_or_what_it_does(acme: Tenant):
    named = Processor(controller=acme.controller, name_fi="Pipedrive CRM", service_fi="")
    named.full_clean()
    named.save()
    assert str(named) == "Pipedrive CRM"
    function_only = Processor(controller=acme.controller, name_fi="", service_fi="Kirjanpito")
    function_only.full_clean()
    neither = Processor(controller=acme.controller, name_fi="", service_fi="")
    with pytest.raises(ValidationError) as refused:
        neither.full_clean()
    assert [e.code for e in refused.value.error_dict["service_fi"]] == ["processor_unnamed"]
