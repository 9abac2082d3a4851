"""The DPV export: JSON-LD parsed into triples by rdflib, every DPV term checked.

Every IRI of the DPV namespaces in the output must be in ``notices/data/dpv_terms.txt``,
the list taken from DPV 2.3's published vocabulary; every catalogue code must map to one.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from notices import dpv_views
from notices.dpv import (
    CONTEXT,
    DURATION_UNITS,
    ORIGINS,
    RIGHTS,
    SAFEGUARDS,
    SECURITY,
    build_dpv,
    dpv_bytes,
    dpv_terms,
    expand,
    legal_basis_iri,
)
from notices.models import (
    DataCategory,
    LegalBasis,
    NoticeVersion,
    Purpose,
    Register,
    RetentionRule,
    Right,
    SecurityMeasure,
    Transfer,
)
from tests.conftest import Tenant
from tests.notices_factory import publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

DPV = "https://w3id.org/dpv#"
GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
HOST = "https://notices.example"
PUBLISHED_AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def parse(data: bytes, address: str) -> Graph:
    return Graph().parse(data=data, format="json-ld", publicID=f"{HOST}{address}")


def dpv_iris(graph: Graph) -> set[str]:
    """Every IRI of the graph in DPV's namespaces (predicates, types and objects)."""
    return {
        str(term)
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith("https://w3id.org/dpv")
    }


def one(graph: Graph, subject, predicate) -> object:
    values = list(graph.objects(subject, URIRef(predicate)))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def of_type(graph: Graph, iri: str) -> list:
    return list(graph.subjects(RDF.type, URIRef(iri)))


@pytest.fixture
def published(register: Register, paula: User, acme: Tenant) -> NoticeVersion:
    """Acme's notice with a DPO, a special category, a legitimate interest and a criterion."""
    dpv_views._document.cache_clear()
    controller = acme.controller
    controller.dpo_name, controller.dpo_email = "Dora Dpo", "dpo@acme.example"
    controller.save()
    register.joint_controllers_en = "Acme Holding Oy"
    register.joint_controllers_fi = "Acme Holding Oy"
    register.save()
    basis = LegalBasis.objects.get(code="6-1-f")
    purpose = Purpose.objects.create(
        register=register,
        name_fi="Markkinointi",
        name_en="Marketing",
        legitimate_interest_fi="Asiakassuhteen ylläpito",
        legitimate_interest_en="Keeping in touch with customers",
    )
    purpose.legal_bases.set([basis, LegalBasis.objects.get(code="9-2-a")])
    # Legitimate interests bring the right to object (Art. 21(1)): the register lists it.
    register.rights.filter(right__code="objection").update(included=True)
    DataCategory.objects.create(
        register=register, name_fi="Terveys", name_en="Health", is_special=True
    )
    RetentionRule.objects.create(
        register=register, criteria_fi="Kunnes peruttu", criteria_en="Until withdrawn"
    )
    return publish(register, paula, published_at=PUBLISHED_AT)


def test_export_is_json_ld_with_only_published_dpv_terms(published: NoticeVersion):
    address = "/en/acme/customers/dpv.jsonld"
    response = Client().get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    graph = parse(response.content, address)

    used = dpv_iris(graph)
    assert used - dpv_terms() == set()
    namespaces = tuple(CONTEXT.values())
    assert {str(p) for p in graph.predicates() if not str(p).startswith(namespaces)} == set()

    process = URIRef(f"{HOST}/en/acme/customers/versions/1/dpv.jsonld#processing")
    assert (process, RDF.type, URIRef(f"{DPV}Process")) in graph
    assert (process, RDFS.label, Literal("Acme customer register", lang="en")) in graph
    controller = one(graph, process, f"{DPV}hasDataController")
    assert one(graph, controller, f"{DPV}hasName") == Literal("Acme")
    dpo = one(graph, controller, f"{DPV}hasDataProtectionOfficer")
    assert one(graph, dpo, f"{DPV}hasName") == Literal("Dora Dpo")
    joint = one(graph, process, f"{DPV}hasJointDataControllers")
    assert (joint, RDF.type, URIRef(f"{DPV}JointDataControllers")) in graph

    bases = {
        str(graph.value(purpose, RDFS.label)): {
            str(b) for b in graph.objects(purpose, URIRef(f"{DPV}hasLegalBasis"))
        }
        for purpose in graph.objects(process, URIRef(f"{DPV}hasPurpose"))
    }
    assert bases == {
        "Acme customer relationship": {f"{GDPR}A6-1-b"},
        "Marketing": {f"{GDPR}A6-1-f", f"{GDPR}A9-2-a"},
    }
    special = of_type(graph, f"{DPV}SpecialCategoryPersonalData")
    assert [str(graph.value(s, RDFS.label)) for s in special] == ["Health"]
    assert len(of_type(graph, f"{DPV}PersonalData")) == 2
    assert len(of_type(graph, f"{DPV}DataSubject")) == 1
    assert len(of_type(graph, f"{DPV}Recipient")) == 1

    processor = one(graph, process, f"{DPV}hasDataProcessor")
    assert one(graph, processor, f"{DPV}hasName") == Literal("Acme CRM")
    assert one(graph, processor, f"{DPV}hasCountry") == URIRef("https://w3id.org/dpv/loc#US")
    (transfer,) = of_type(graph, f"{DPV}CrossBorderTransfer")
    assert one(graph, transfer, f"{DPV}hasLegalBasis") == URIRef(f"{GDPR}A46-2-c")
    assert one(graph, transfer, f"{DPV}hasOrganisationalMeasure") == URIRef(
        f"{GDPR}SCCByCommission"
    )
    assert one(graph, transfer, f"{DPV}hasRecipient") == processor

    (duration,) = of_type(graph, f"{DPV}TemporalDuration")
    assert str(one(graph, duration, str(RDF.value))) == "P10Y"
    (condition,) = of_type(graph, f"{DPV}StorageCondition")
    assert str(graph.value(condition, URIRef("http://purl.org/dc/terms/description"))) == (
        "Until withdrawn"
    )
    rights = {
        str(t)
        for r in graph.objects(process, URIRef(f"{DPV}hasRight"))
        for t in graph.objects(r, RDF.type)
    }
    assert {f"{GDPR}A15", f"{GDPR}A16", f"{GDPR}A17", f"{GDPR}A77", f"{GDPR}A7-3"} <= rights
    notice = one(graph, process, f"{DPV}hasNotice")
    assert str(notice) == f"{HOST}/en/acme/customers/versions/1/"
    identifier = one(graph, notice, "http://purl.org/dc/terms/identifier")
    assert str(identifier) == f"sha256:{published.content_hash}"


def test_texts_are_in_the_address_language(published: NoticeVersion):
    address = "/fi/acme/customers/versions/1/dpv.jsonld"
    graph = parse(Client().get(address).content, address)
    labels = {graph.value(p, RDFS.label) for p in of_type(graph, f"{DPV}Purpose")}
    assert labels == {Literal("Acme asiakassuhde", lang="fi"), Literal("Markkinointi", lang="fi")}
    # Names and addresses carry no language.
    controller = of_type(graph, f"{DPV}DataController")[0]
    assert graph.value(controller, URIRef(f"{DPV}hasContact")) == Literal("info@acme.example")


def test_every_catalogue_code_maps_to_a_published_dpv_term(db):
    terms = dpv_terms()
    codes = LegalBasis.objects.values_list("code", flat=True)
    assert len(codes) == 16
    assert {expand(legal_basis_iri(code)) for code in codes} <= terms
    assert (
        set(RIGHTS) == set(Right.Code.values) == set(Right.objects.values_list("code", flat=True))
    )
    assert set(SAFEGUARDS) == set(Transfer.Safeguard.values)
    assert set(SECURITY) == set(SecurityMeasure.Kind.values)
    assert set(ORIGINS) == set(Register.DataOrigin.values)
    assert set(DURATION_UNITS) == set(RetentionRule.Unit.values)
    mapped = [*RIGHTS.values(), *SECURITY.values(), *(t for ts in ORIGINS.values() for t in ts)]
    mapped += [term for pair in SAFEGUARDS.values() for term in pair if term]
    assert {expand(term) for term in mapped} - terms == set()


def test_every_safeguard_unit_and_country_is_written_as_dpv(published: NoticeVersion):
    """The builder is pure: a stored snapshot changed in memory shows every mapping."""
    snapshot = copy.deepcopy(published.snapshot)
    template = snapshot["transfers"][0]
    snapshot["transfers"] = [
        {**template, "id": n, "safeguard": code, "processor": "", "country": country}
        for n, (code, country) in enumerate(
            zip(SAFEGUARDS, ["IN", "US", "XK", "JP", "BR"], strict=True)
        )
    ]
    rule = snapshot["retention"][0]
    snapshot["retention"] = [
        {**rule, "id": n, "period": 2, "period_unit": unit} for n, unit in enumerate(DURATION_UNITS)
    ]
    version = {"number": 1, "published_at": "2026-03-02T08:00:00+00:00", "content_hash": "0" * 64}
    address = "/en/acme/customers/versions/1/dpv.jsonld"
    data = dpv_bytes(snapshot, language="en", version=version)
    graph = parse(data, address)
    assert dpv_iris(graph) - dpv_terms() == set()
    bases = {
        str(graph.value(t, URIRef(f"{DPV}hasLegalBasis")))
        for t in of_type(graph, f"{DPV}CrossBorderTransfer")
    }
    assert bases == {
        f"{GDPR}A45-3",
        f"{GDPR}A46-2-c",
        f"{GDPR}A46-2-b",
        f"{DPV}DataTransferLegalBasis",
    }
    durations = {str(graph.value(d, RDF.value)) for d in of_type(graph, f"{DPV}TemporalDuration")}
    assert durations == {"P2D", "P14D", "P2M", "P2Y"}
    # Kosovo has no concept in DPV's location extension: a plain dpv:Country with its code.
    (kosovo,) = of_type(graph, f"{DPV}Country")
    assert str(graph.value(kosovo, URIRef("http://purl.org/dc/terms/identifier"))) == "XK"
    assert build_dpv(snapshot, language="en", version=version) == build_dpv(
        snapshot, language="en", version=version
    )


def test_headers_conditional_requests_and_addresses(published: NoticeVersion):
    client = Client()
    current = client.get("/en/acme/customers/dpv.jsonld")
    version = client.get("/en/acme/customers/versions/1/dpv.jsonld")
    json_response = client.get("/en/acme/customers/notice.json")
    assert current.content == version.content
    assert current["Cache-Control"] == json_response["Cache-Control"]
    assert version["Cache-Control"].startswith("public, max-age=")
    assert current["ETag"] == f'"{published.content_hash[:40]}-dpv1-en"'
    assert current["Content-Language"] == "en"
    assert current["Access-Control-Allow-Origin"] == "*"
    again = client.get("/en/acme/customers/dpv.jsonld", HTTP_IF_NONE_MATCH=current["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["Cache-Control"] == current["Cache-Control"]
    assert client.get("/fi/acme/customers/dpv.jsonld")["ETag"] != current["ETag"]

    assert client.get("/sv/acme/customers/dpv.jsonld").status_code == 404
    assert client.get("/en/acme/customers/versions/2/dpv.jsonld").status_code == 404
    assert client.get("/en/acme/nothing/dpv.jsonld").status_code == 404
    assert client.post("/en/acme/customers/dpv.jsonld").status_code == 405
    Register.objects.filter(pk=published.register_id).update(is_online=False)
    assert client.get("/en/acme/customers/dpv.jsonld").status_code == 410


def test_one_query_a_request_and_one_more_the_first_time(
    published: NoticeVersion, django_assert_num_queries
):
    client = Client()
    address = "/en/acme/customers/dpv.jsonld"
    with django_assert_num_queries(2):
        first = client.get(address)
    with django_assert_num_queries(1):
        second = client.get(address)
    assert first.content == second.content
