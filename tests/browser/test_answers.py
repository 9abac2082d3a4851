"""In a real browser: the publish page asks each unanswered question and its link leads
to an explicit choice on the register's page; the answer chosen there is published."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, expect

from notices.models import Register
from tests.browser.conftest import Site, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_publisher_follows_the_link_of_an_unanswered_question_and_answers_it(
    site: Site, context: BrowserContext, pages_only
):
    Register.objects.filter(pk=site.register.pk).update(has_automated_decisions=None)
    page = context.new_page()
    log_in(page, site.url, "paula")
    page.goto(f"{site.url}/admin/notices/register/{site.register.pk}/publish/")
    problems = page.locator(".publish-problems")
    expect(problems).to_contain_text("Answer whether decisions are made by automated means alone")
    screenshot(page, "answers-publish-refused")

    # The link opens the question's own step with the question focused.
    problems.locator('a[href$="#f-register-has_automated_decisions"]').first.click()
    expect(page).to_have_url(re.compile(r"/step/[a-z_]+/#f-register-has_automated_decisions$"))
    choice = page.locator("#id_has_automated_decisions")
    expect(choice).to_be_visible()
    expect(choice.locator('input[value=""]')).to_be_checked()
    choice.scroll_into_view_if_needed()
    screenshot(page, "answers-register-question", full_page=False)
    choice.get_by_label("no: no automated decisions or profiling with significant effects").check()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    site.register.refresh_from_db()
    assert site.register.has_automated_decisions is False

    page.goto(f"{site.url}/admin/notices/register/{site.register.pk}/publish/")
    expect(page.locator(".publish-problems")).to_have_count(0)
    site.publish()
    page.goto(site.url + site.path("en"))
    expect(page.locator("#automated")).to_contain_text(
        "No decisions are made by automated means alone"
    )
