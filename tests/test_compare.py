"""Two published versions compared for readers: what was added, removed and changed,
side by side with the differing words marked, in each language both versions publish.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from notices import history_views
from notices.comparison import HIDDEN, SECTION_MODELS, label_field, word_diff
from notices.parts import PARTS
from notices.snapshot import build_snapshot
from tests.conftest import make_tenant
from tests.history_factory import publish_two
from tests.notices_factory import add_swedish, complete_notice, publish

pytestmark = pytest.mark.usefixtures("blank_pdfs", "_fresh_comparisons")


@pytest.fixture
def _fresh_comparisons():
    history_views.COMPARISONS.clear()
    yield
    history_views.COMPARISONS.clear()


def compare_url(lang: str, old: int, new: int, controller="acme", register="customers") -> str:
    kwargs = {"lang": lang, "controller": controller, "register": register}
    return reverse("notices:compare", kwargs={**kwargs, "old": old, "new": new})


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def two_versions(acme, register, paula):
    return publish_two(acme, register, paula)


def test_comparison_shows_added_removed_and_changed_items_side_by_side(two_versions):
    response = Client().get(compare_url("en", 1, 2))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h2 id="recipients-title">Recipients and disclosures</h2>' in page
    assert '<h2 id="sources-title">Sources</h2>' in page
    assert '<h2 id="purposes-title">Purposes and legal bases</h2>' in page
    # The renamed purpose: old and new text, only the differing words marked.
    assert 'Acme customer <ins><span class="visually-hidden">added: </span>care</ins> rel' in page
    assert 'Acme customer care relationship <span class="tag">changed</span>' in page
    # The new recipient is substantive; the removed source is not.
    assert 'Debt collection agency <span class="tag">added</span>' in page
    assert '<strong class="tag substantive">new recipient</strong>' in page
    assert 'Acme source <span class="tag">removed</span>' in page
    assert '<del><span class="visually-hidden">removed: </span>Acme source</del>' in page
    assert "1 item added, 1 removed, 1 changed." in text(page)
    # The publisher's summary of the newer version, and both versions' dates.
    assert "A new recipient." in page
    assert "3 March 2025" in page and "15 September 2026" in page


def test_comparison_in_finnish_has_finnish_labels_and_dates(two_versions):
    page = Client().get(compare_url("fi", 1, 2)).content.decode()
    assert '<html lang="fi">' in page
    assert "Acme asiakkuuden hoito" in page
    assert "3.3.2025" in page and "15.9.2026" in page
    assert "lisätty" in page
    assert "uusi vastaanottaja" in page
    # The other language both versions publish is offered, at the same comparison.
    assert f'hreflang="en" href="{compare_url("en", 1, 2)}"' in page


def test_a_language_the_versions_do_not_publish_is_404(acme, register, paula, two_versions):
    assert Client().get(compare_url("sv", 1, 2)).status_code == 404
    add_swedish(acme)
    publish(register, paula)
    # Version 3 publishes Swedish, version 2 did not: no Swedish comparison of them.
    assert Client().get(compare_url("sv", 2, 3)).status_code == 404
    assert Client().get(compare_url("en", 2, 3)).status_code == 200
    assert Client().get(compare_url("en", 1, 3)).status_code == 200


def test_another_companys_or_registers_version_is_404(acme, register, paula, two_versions):
    other = make_tenant("Borealis", "borealis", "7654321-2")
    complete_notice(other)
    publish(other.register, paula_of(other))
    assert Client().get(compare_url("en", 1, 2, controller="borealis")).status_code == 404
    # Version 3 exists only in another register of Acme.
    assert Client().get(compare_url("en", 1, 3)).status_code == 404
    assert Client().get(compare_url("en", 1, 2, controller="nobody")).status_code == 404


def paula_of(tenant):
    from tests.notices_factory import make_publisher

    return make_publisher(tenant.controller, username="pekka")


def test_versions_in_the_wrong_order_redirect_and_the_same_version_is_404(two_versions):
    response = Client().get(compare_url("en", 2, 1))
    assert response.status_code == 301
    assert response["Location"] == compare_url("en", 1, 2)
    assert Client().get(compare_url("en", 2, 2)).status_code == 404


def test_offline_register_is_gone(register, two_versions):
    register.is_online = False
    register.save()
    assert Client().get(compare_url("en", 1, 2)).status_code == 410


def test_repeat_request_is_served_from_the_process_without_a_query(
    two_versions, django_assert_num_queries
):
    client = Client()
    with django_assert_num_queries(3):
        first = client.get(compare_url("en", 1, 2))
    with django_assert_num_queries(0):  # the response kept (notices.public_cache)
        again = client.get(compare_url("en", 1, 2))
    assert again.content == first.content
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)
    assert first["Cache-Control"] == "public, max-age=3600"
    assert first["Content-Language"] == "en"
    with django_assert_num_queries(1):
        not_modified = client.get(compare_url("en", 1, 2), HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304


def test_cache_keeps_at_most_its_size_least_recently_used_first():
    cache = history_views.BoundedCache(2)
    cache.put(("a",), (b"a", "1"))
    cache.put(("b",), (b"b", "2"))
    assert cache.get(("a",)) == (b"a", "1")
    cache.put(("c",), (b"c", "3"))
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is not None and cache.get(("c",)) is not None
    assert len(cache) == 2


def test_change_log_links_each_version_to_its_comparison(two_versions):
    page = Client().get("/en/acme/customers/versions/").content.decode()
    assert f'href="{compare_url("en", 1, 2)}"' in page
    assert "What changed in version 2" in page
    assert "What changed in version 1" not in page


def test_tenant_text_is_escaped_in_the_comparison(acme, register, paula):
    publish(register, paula)
    acme.purpose.name_en = '<script>alert("x")</script> & <b>bold</b>'
    acme.purpose.save()
    publish(register, paula)
    page = Client().get(compare_url("en", 1, 2)).content.decode()
    assert "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_word_diff_marks_only_the_words_that_differ():
    with translation.override("en"):
        old, new = word_diff("kept for 10 years <i>", "kept for 12 years <i>")
    assert (
        old
        == 'kept for <del><span class="visually-hidden">removed: </span>10</del> years &lt;i&gt;'
    )
    assert (
        new == 'kept for <ins><span class="visually-hidden">added: </span>12</ins> years &lt;i&gt;'
    )
    assert word_diff("same", "same") == ("same", "same")
    # A run of changed words is one mark, whatever the spaces between them.
    old, new = word_diff("Acme customer relationship", "Customer care and invoicing")
    assert old.count("<del>") == 1 and new.count("<ins>") == 1
    assert word_diff("a  b\nc", "a  b\nc") == ("a  b\nc", "a  b\nc")


def test_every_field_of_every_part_has_a_model_label(register):
    """A new field in the snapshot must be labelled by a model field, not by its key."""
    snapshot = build_snapshot(register)
    for part in PARTS:
        for item in snapshot[part.key]:
            for key in item.keys() - HIDDEN:
                assert label_field(part.model, key) is not None, (part.key, key)
    for key, model in SECTION_MODELS.items():
        for field_name in (snapshot[key] or {}).keys() - HIDDEN:
            assert label_field(model, field_name) is not None, (key, field_name)


def test_links_follow_the_registers_current_address(register, two_versions):
    register.slug = "clients"
    register.save()
    page = Client().get(compare_url("en", 1, 2, register="clients")).content.decode()
    assert 'href="/en/acme/clients/versions/"' in page
    assert 'href="/en/acme/clients/versions/2/"' in page
    assert "/customers/" not in page
    assert Client().get(compare_url("en", 1, 2)).status_code == 404
