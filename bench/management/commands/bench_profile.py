"""``manage.py bench_profile page=PATH [KIND=PATH ...]``: where a notice page's time goes.

In-process, through Django's WSGI handler (no network, no gunicorn): the median
time of each address; the notice page's SQL; the page taken apart (the view
alone, its lookup and its SQL run bare, a new database connection per
request); the middleware chain built up one by one; and a cProfile listing.
Read-only: it only requests the addresses it is given.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import resolve

from bench.management.base import JsonResultCommand
from notices import public, views
from notices.public_cache import RESPONSES


def environ(path: str, port: str) -> dict[str, Any]:
    """A WSGI environ for a plain GET of ``path``, as gunicorn would build it."""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": f"127.0.0.1:{port}",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


class Caller:
    """Requests an address through a WSGI handler and reads the whole body."""

    def __init__(self, port: str) -> None:
        self.port = port

    def __call__(self, app: WSGIHandler, path: str) -> int:
        status: list[str] = []
        result = app(environ(path, self.port), lambda s, h, exc_info=None: status.append(s))
        try:
            size = sum(len(chunk) for chunk in result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if not status[0].startswith("200"):
            raise CommandError(f"{path}: {status[0]}")
        return size


def medians_ms(fns: dict[str, Callable[[], Any]], count: int) -> dict[str, float]:
    """Median time of each function in ms, in interleaved rounds after a warm-up.

    Interleaving means background load disturbs every candidate alike.
    """
    for _ in range(min(20, count)):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {key: [] for key in fns}
    for _ in range(count):
        for key, fn in fns.items():
            started = time.perf_counter()
            fn()
            samples[key].append(time.perf_counter() - started)
    return {key: statistics.median(values) * 1000 for key, values in samples.items()}


def page_parts(call: Caller, app: WSGIHandler, page: str, sql: str, count: int) -> dict:
    """The page taken apart: with a new connection, the view alone, its query."""
    lang, controller, register = page.strip("/").split("/")[:3]
    conn_max_age = connection.settings_dict["CONN_MAX_AGE"]

    def page_fresh_connection() -> None:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        try:
            call(app, page)
        finally:
            connection.settings_dict["CONN_MAX_AGE"] = conn_max_age

    def raw_sql() -> None:
        # The page's lookup query alone, as notices.public runs it (on PostgreSQL its
        # logged text is the server-bound one, with $1 for the parameters).
        if hasattr(public, "fetch"):
            public.fetch(
                public._rendering_sql(connection.vendor, False, "html"),
                public.rendering_params(lang, controller, register, None),
            )
            return
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()

    factory = RequestFactory(SERVER_NAME="127.0.0.1")

    def view_only() -> None:
        request = factory.get(page)
        request.resolver_match = resolve(page)
        views.detail(request, lang=lang, controller=controller, register=register)

    parts = medians_ms(
        {
            # As a visitor gets it: the response the process kept (notices.public_cache).
            "page": lambda: call(app, page),
            # The first request after a change: the lookup, the view, the middleware.
            "page_not_kept": lambda: (RESPONSES.clear(), call(app, page)),
            "page_conn_max_age_0": page_fresh_connection,
            # The view alone (no middleware, no URL resolving) and its one query.
            "view_only": view_only,
            "lookup": lambda: views._find(lang, controller, register, None, "html"),
            "raw_sql": raw_sql,
        },
        count,
    )
    connection.close()
    return parts


def middleware_chain_ms(call: Caller, page: str, count: int) -> dict[str, float]:
    """The page through the middleware added one by one: each costs the step it adds."""
    handlers = {}
    for n in range(len(settings.MIDDLEWARE) + 1):
        with override_settings(MIDDLEWARE=settings.MIDDLEWARE[:n]):
            handlers[settings.MIDDLEWARE[n - 1] if n else "(none)"] = WSGIHandler()
    return medians_ms(
        {key: (lambda h=handler: call(h, page)) for key, handler in handlers.items()}, count
    )


def profile_listings(call: Caller, app: WSGIHandler, page: str, count: int) -> dict[str, str]:
    """cProfile of ``count`` page requests, top 20 by own time and by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        call(app, page)
    profiler.disable()
    listings = {}
    for sort in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(sort).print_stats(20)
        listing = text.getvalue()
        listings[f"profile_{sort}"] = listing[listing.find("   ncalls") :]
    return listings


class Command(JsonResultCommand):
    help = "Profile public addresses in-process: medians, the page's SQL, middleware, cProfile."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "addresses",
            nargs="+",
            metavar="KIND=PATH",
            help="addresses to time; the one named page is taken apart",
        )
        parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
        parser.add_argument("--port", default="8000", help="the port the Host header names")

    def handle(self, *args: Any, addresses: list[str], requests: int, port: str, **options):
        urls = dict(address.split("=", 1) for address in addresses)
        if "page" not in urls:
            raise CommandError("Name the notice page: page=/<lang>/<controller>/<register>/")
        page, count, call, app = urls["page"], max(10, requests), Caller(port), WSGIHandler()
        out: dict[str, Any] = {"n": count, "middleware": list(settings.MIDDLEWARE)}
        out["full_ms"] = medians_ms(
            {kind: (lambda u=url: call(app, u)) for kind, url in urls.items()}, count
        )
        # Queries of one page request the process has not kept the answer to (a kept one
        # makes none; health checks on a reused connection are not listed).
        RESPONSES.clear()
        with CaptureQueriesContext(connection) as captured:
            call(app, page)
        out["page_queries"] = [q["sql"] for q in captured.captured_queries]
        # Is the database connection kept between requests (CONN_MAX_AGE)?
        RESPONSES.clear()
        call(app, page)
        first = id(connection.connection)
        RESPONSES.clear()
        call(app, page)
        out["conn_max_age"] = connection.settings_dict["CONN_MAX_AGE"]
        out["conn_health_checks"] = connection.settings_dict["CONN_HEALTH_CHECKS"]
        out["connection_reused"] = first == id(connection.connection)
        out["parts_ms"] = page_parts(call, app, page, out["page_queries"][0], count)
        out["page_middleware_chain_ms"] = middleware_chain_ms(call, page, count)
        out.update(profile_listings(call, app, page, count))
        self.write_result(out, options["json_path"])
