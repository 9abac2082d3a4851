"""``manage.py bench_admin [--requests N]``: each admin page's server time and queries.

In-process with Django's test ``Client`` (no network, no server), with DEBUG
off as in production: a company member (the publisher of the newest company
with a published register: a ``bench_scale`` copy when the database was grown)
and a superuser each request every admin page they use N times; the median
time of a request and the number of SQL queries of one request are reported
against the target (300 ms, a count that does not grow with the rows). The
register's change form (the editor) is also saved unchanged, as a browser would
resubmit it, each step of the guided editor is requested, and the company home
(the member's admin index is the home of all their companies; one company's home
is asked by the member and the superuser too). On PostgreSQL,
every query of every page is ``EXPLAIN``-ed and a sequential scan of a table that
grows with the companies is flagged (except the count of a whole table, which
reads it whatever the indexes).

It saves the editor's form unchanged (nothing changes, an audit row at most):
it refuses to run with DEBUG on without --force, as the seeding commands do.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from argparse import ArgumentParser
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from bench.management.base import JsonResultCommand, publisher_of
from controllers.models import Controller
from notices.models import Register
from notices.steps import STEPS

TARGET_MS = 300.0
# Tables that grow with the number of companies: a sequential scan of one is flagged.
BIG_TABLES = (
    "controllers_controller",
    "controllers_contactperson",
    "controllers_membership",
    "controllers_auditevent",
    "notices_register",
    "notices_noticeversion",
    "notices_noticerendering",
    "notices_processor",
    "notices_purpose",
    "notices_datacategory",
    "notices_registerright",
    "auth_user",
)
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
WHOLE_COUNT = re.compile(r'SELECT COUNT\(\*\) AS "__count" FROM "\w+"\s*$')


class FormValues(HTMLParser):
    """The values a browser would submit from the form with ``form_id``, unchanged."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: tuple[str, bool] | None = None
        self._text: list[str] = []

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.add(name, a.get("value", "on"))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self.add(name, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = (name, "multiple" in a)
        elif tag == "option" and self._select and "selected" in a:
            self.add(self._select[0], a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self.add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


@dataclass
class Page:
    """One admin page as one user requests it."""

    who: str
    name: str
    url: str
    post: bool = False


def member_pages(company: Controller, register: Register) -> list[Page]:
    """Every page a company member uses, in the order of a working session."""
    lang = register.languages[0]
    lists = [
        "notices_processor",
        "controllers_contactperson",
        "controllers_membership",
        "notices_legalbasis",
        "notices_right",
        "notices_supervisoryauthority",
    ]
    return [
        Page("member", "admin index", reverse("admin:index")),
        Page(
            "member",
            "company page",
            reverse("admin:controllers_controller_change", args=[company.pk]),
        ),
        # The member's front page (admin index) is the home of all their companies;
        # this is one company's, the page a member of several companies opens.
        Page(
            "member",
            "company home",
            reverse("admin:controllers_controller_home", args=[company.pk]),
        ),
        Page("member", "register list", reverse("admin:notices_register_changelist")),
        Page(
            "member", "editor (GET)", reverse("admin:notices_register_change", args=[register.pk])
        ),
        Page(
            "member",
            "editor (POST unchanged)",
            reverse("admin:notices_register_change", args=[register.pk]),
            post=True,
        ),
        *(
            Page(
                "member",
                f"step {step.key}",
                reverse("admin:notices_register_step", args=[register.pk, step.key]),
            )
            for step in STEPS
        ),
        Page(
            "member", "preview", reverse("admin:notices_register_preview", args=[register.pk, lang])
        ),
        Page(
            "member", "publish page", reverse("admin:notices_register_publish", args=[register.pk])
        ),
        Page("member", "versions list", reverse("admin:notices_noticeversion_changelist")),
        Page("member", "audit log", reverse("admin:controllers_auditevent_changelist")),
        *(
            Page("member", f"{name.split('_', 1)[1]} list", reverse(f"admin:{name}_changelist"))
            for name in lists
        ),
    ]


SUPERUSER_LISTS = [
    "notices_register",
    "notices_noticeversion",
    "notices_processor",
    "controllers_controller",
    "controllers_contactperson",
    "controllers_membership",
    "controllers_auditevent",
]


def superuser_pages(company: Controller) -> list[Page]:
    return [
        Page("superuser", "admin index", reverse("admin:index")),
        Page(
            "superuser",
            "company home",
            reverse("admin:controllers_controller_home", args=[company.pk]),
        ),
        *(
            Page("superuser", f"{name.split('_', 1)[1]} list", reverse(f"admin:{name}_changelist"))
            for name in SUPERUSER_LISTS
        ),
    ]


def explain(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each SELECT's plan (PostgreSQL), with the big tables it reads sequentially."""
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # Counting a whole table reads it whatever the indexes: not flagged.
            whole_count = WHOLE_COUNT.match(sql) is not None
            scans = [] if whole_count else sorted(set(SEQ_SCAN.findall(plan)) & set(BIG_TABLES))
            plans.append({"sql": sql, "plan": plan, "seq_scans": scans, "whole_count": whole_count})
    return plans


def send(client: Client, page: Page, form: dict[str, list[str]] | None) -> int:
    """One request; its status, the body read whole."""
    response = client.post(page.url, form or {}) if page.post else client.get(page.url)
    expected = 302 if page.post else 200
    if response.status_code != expected:
        raise CommandError(f"{page.who} {page.url}: {response.status_code}, not {expected}")
    return len(response.content)


def measure(client: Client, page: Page, requests: int, explain_plans: bool) -> dict[str, Any]:
    """Queries of one request after a first one, then the median time of ``requests`` more."""
    form = None
    if page.post:
        parser = FormValues("register_form")
        parser.feed(client.get(page.url).content.decode())
        form = parser.data
    send(client, page, form)  # once first: caches filled on first use are not the page's
    # Django empties the query log when a request starts (reset_queries): the
    # context must start from an empty log to keep the request's queries.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        size = send(client, page, form)
    # Read now: the context reads the connection's log, which the next request empties.
    queries = list(captured.captured_queries)
    times, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        send(client, page, form)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    row: dict[str, Any] = {
        "who": page.who,
        "page": page.name,
        "url": page.url,
        "method": "POST" if page.post else "GET",
        "queries": len(queries),
        "bytes": size,
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        # This process's CPU time: Python's share, without PostgreSQL's or other
        # processes' (wall time on a busy machine includes waiting for a core).
        "median_cpu_ms": statistics.median(cpu),
    }
    row["ok"] = row["median_ms"] <= TARGET_MS
    if explain_plans and connection.vendor == "postgresql":
        row["plans"] = explain(queries)
        row["seq_scans"] = sorted({t for p in row["plans"] for t in p["seq_scans"]})
    return row


def chosen_company() -> tuple[Controller, Register]:
    """The newest copy of the company bench_scale copies (or that company), and its register.

    bench_scale copies the first company by address name that has a published
    register, as ``<slug>-<n>``: on the demo this is that company itself, at
    scale its newest copy, so both sizes measure the same register's pages.
    """
    published = Register.objects.filter(versions__isnull=False).select_related("controller")
    first = published.order_by("controller__slug", "pk").first()
    if first is None:
        raise CommandError("No company has a published register: did load_demo run?")
    slug = first.controller.slug
    register = (
        published.filter(
            Q(controller__slug=slug) | Q(controller__slug__startswith=f"{slug}-"),
            slug=first.slug,
        )
        .order_by("-controller_id")
        .first()
    )
    return register.controller, register


def superuser() -> Any:
    user = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("There is no superuser: did load_demo run?")
    return user


class Command(JsonResultCommand):
    help = "Median server time and queries of each admin page, as a member and a superuser."
    writes_data = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--requests", type=int, default=10, help="timed requests per page")
        parser.add_argument("--no-explain", action="store_true", help="skip the EXPLAINs")

    def handle(self, *args: Any, requests: int, no_explain: bool, **options: Any) -> None:
        company, register = chosen_company()
        member = publisher_of(company)
        rows = []
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
            for user, pages in (
                (member, member_pages(company, register)),
                (superuser(), superuser_pages(company)),
            ):
                client = Client()
                client.force_login(user)
                for page in pages:
                    rows.append(measure(client, page, max(1, requests), not no_explain))
        self.write_result(
            {
                "database": connection.vendor,
                "companies": Controller.objects.count(),
                "registers": Register.objects.count(),
                "versions": register.versions.model.objects.count(),
                "member": {"username": member.username, "company": company.slug},
                "register": register.slug,
                "requests": requests,
                "target_ms": TARGET_MS,
                # The machine's load when done: the times are CPU time shared with it.
                "load_average": os.getloadavg(),
                "cpus": os.cpu_count(),
                "pages": rows,
            },
            options["json_path"],
        )
