"""Public addresses answer GET and HEAD only, each page at exactly one address.

Issue 12, finding 6: public views answered OPTIONS, TRACE and any method name
with the page; ``/versions/01/`` and ``/versions/%31/`` served version 1 under
addresses of their own; ``/static/staticfiles.json`` was served.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from notices.models import NoticeVersion, Register
from tests.notices_factory import publish

ROOT = "/fi/acme/customers/"
ADDRESSES = [
    "/fi/acme/",
    ROOT,
    f"{ROOT}pdf/",
    f"{ROOT}notice.json",
    f"{ROOT}embed/",
    f"{ROOT}versions/",
    f"{ROOT}versions/1/",
    f"{ROOT}versions/1/pdf/",
]


@pytest.fixture
def published(register: Register, paula: User) -> NoticeVersion:
    return publish(register, paula)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO"])
def test_public_views_allow_get_and_head_only(published: NoticeVersion, method: str):
    client = Client()
    for address in [*ADDRESSES, "/media/logos/acme.png"]:
        response = client.generic(method, address)
        assert response.status_code == 405, (method, address)
        assert response["Allow"] == "GET, HEAD", address
        assert b"Acme" not in response.content


def test_get_and_head_still_answer(published: NoticeVersion):
    client = Client()
    for address in ADDRESSES:
        assert client.get(address).status_code == 200, address
        head = client.head(address)
        assert head.status_code == 200, address
        body = b"".join(head.streaming_content) if head.streaming else head.content
        assert body == b"", address


@pytest.mark.parametrize(
    ("sent", "canonical"),
    [
        (f"{ROOT}versions/01/", f"{ROOT}versions/1/"),
        (f"{ROOT}versions/0001/pdf/", f"{ROOT}versions/1/pdf/"),
    ],
)
def test_leading_zeros_redirect_permanently_to_the_one_address(
    published: NoticeVersion, sent: str, canonical: str
):
    response = Client().get(sent, {"utm": "x"})
    assert response.status_code == 301
    assert response["Location"] == f"{canonical}?utm=x"


def test_encoded_digits_redirect_permanently_to_the_one_address(published: NoticeVersion):
    client = Client()
    # The server decodes the path before Django sees it; gunicorn passes the
    # address as sent in RAW_URI (as the test client does not, it is given here).
    for sent, canonical in [
        (f"{ROOT}versions/%31/", f"{ROOT}versions/1/"),
        ("/fi/acme/customers/versions/%31/pdf/", f"{ROOT}versions/1/pdf/"),
        ("/fi/%61cme/customers/", ROOT),
        ("/%66i/acme/", "/fi/acme/"),
    ]:
        response = client.get(canonical, RAW_URI=sent)
        assert response.status_code == 301, sent
        assert response["Location"] == canonical
    assert client.get(ROOT, RAW_URI=ROOT).status_code == 200
    assert client.get(ROOT, RAW_URI=f"{ROOT}?utm=x").status_code == 200


def test_static_files_manifest_is_not_served(db):
    client = Client()
    assert client.get("/static/css/notice.css").status_code == 200
    for address in ("/static/staticfiles.json", "/static/staticfiles.json.gz"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert b'"paths"' not in response.content
