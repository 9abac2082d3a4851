"""Visitors reading public addresses, for locust: the client of ``make bench`` and ``make load``.

The runners (``python -m bench``, ``python -m load``) start it from the project
root, headless, against gunicorn on 127.0.0.1::

    python -m locust -f bench/locustfile.py --headless --users 32 --spawn-rate 32 \
        --host http://127.0.0.1:8000 --run-time 120 --targets plan.json \
        --warmup 3 --measure 60 --server-pid 1234 --report-json report.json

``--targets`` is a JSON plan: the addresses with their kind, expected size and
ETag and how often each is read, the share of conditional requests
(``If-None-Match``, answered 304) and the languages a visitor may prefer. Each
visitor reads one address after another without pause, as many as it can.

A request fails (and locust exits 1) on a status other than 200 (or 304 for a
conditional request), a body of another size than the plan says, a timeout or a
connection error. The statistics are locust's own; after ``--warmup`` seconds
they are reset, ``--measure`` seconds are measured, and then the locustfile
writes ``--report-json`` (locust's percentiles per kind of address, the failures,
and the CPU used by the server, by this client and by everything else, from
psutil) and stops the run. Failures during the warm-up are counted too.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent
import locust.stats
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.runners import WorkerRunner
from locust.stats import StatsEntry

from bench import cpu

# A request that takes longer than this is a failure (a timeout).
REQUEST_TIMEOUT = 10.0
PERCENTILES = {"p50_ms": 0.50, "p95_ms": 0.95, "p99_ms": 0.99}


def two_significant_digits(response_time: float) -> float:
    """Locust's response-time buckets, kept at two significant digits below 10 ms too.

    Locust rounds to whole milliseconds below 100 ms, which would report a static
    file served in 1.4 ms as 1 ms. Its buckets are meant to be replaced like this
    (see ``locust.stats.bucket_response_time``); its percentiles then keep the decimal.
    """
    return float(f"{response_time:.2g}") if response_time > 0 else 0.0


locust.stats.bucket_response_time = two_significant_digits


@events.init_command_line_parser.add_listener
def add_arguments(parser: Any) -> None:
    parser.add_argument("--targets", help="JSON plan of addresses to read", default="")
    parser.add_argument("--warmup", type=float, default=0.0, help="seconds before measuring")
    parser.add_argument("--measure", type=float, default=10.0, help="seconds measured")
    parser.add_argument("--server-pid", type=int, default=0, help="gunicorn's master process")
    parser.add_argument("--report-json", default="", help="write the measured window here")
    parser.add_argument("--seed", type=int, default=2026, help="of the visitors' choices")
    parser.add_argument(
        "--started-file", default="", help="write the epoch time measuring starts at here"
    )


@dataclass(frozen=True)
class Target:
    kind: str
    path: str
    size: int
    etag: str


class Plan:
    """What the visitors read, loaded once from the ``--targets`` file."""

    targets: list[Target] = []
    cum_weights: list[float] = []
    conditional_share = 0.0
    languages: list[str] = []

    @classmethod
    def load(cls, path: str) -> None:
        data = json.loads(Path(path).read_text())
        cls.targets = [Target(t["kind"], t["path"], t["size"], t["etag"]) for t in data["targets"]]
        cls.cum_weights = list(itertools.accumulate(t["weight"] for t in data["targets"]))
        cls.conditional_share = data.get("conditional_share", 0.0)
        cls.languages = data.get("languages", [])


class Counters:
    """Responses that told the client to close the connection (gunicorn's sync workers do)."""

    responses = 0
    closed_by_server = 0


class Timeline:
    """Successful responses per ``BIN_S`` of wall-clock time, over the measured window.

    Kept by the epoch clock (``time.time()``), so that a runner can count the
    requests served while something it did itself was running (``make load``'s
    publish) and compare them with the rest of the window.
    """

    BIN_S = 0.1
    started = 0.0
    counts: list[int] = []
    measuring = False

    @classmethod
    def reset(cls) -> None:
        cls.started, cls.counts, cls.measuring = time.time(), [], True

    @classmethod
    def add(cls) -> None:
        if not cls.measuring:
            return
        index = int((time.time() - cls.started) / cls.BIN_S)
        if index >= len(cls.counts):
            cls.counts.extend([0] * (index + 1 - len(cls.counts)))
        cls.counts[index] += 1

    @classmethod
    def as_dict(cls) -> dict[str, Any]:
        return {"started": cls.started, "bin_s": cls.BIN_S, "counts": cls.counts}


@events.init.add_listener
def load_plan(environment: Environment, **kwargs: Any) -> None:
    if environment.parsed_options and environment.parsed_options.targets:
        Plan.load(environment.parsed_options.targets)


_visitor_numbers = itertools.count()


class Visitor(FastHttpUser):
    """A visitor reading public addresses one after another, without pause."""

    wait_time = constant(0)
    network_timeout = REQUEST_TIMEOUT
    connection_timeout = REQUEST_TIMEOUT

    def on_start(self) -> None:
        if not Plan.targets:
            raise RuntimeError("No addresses to read: give --targets a plan file.")
        seed = self.environment.parsed_options.seed if self.environment.parsed_options else 0
        self.rng = random.Random(seed + next(_visitor_numbers))

    @task
    def read(self) -> None:
        target = self.rng.choices(Plan.targets, cum_weights=Plan.cum_weights)[0]
        conditional = bool(target.etag) and self.rng.random() < Plan.conditional_share
        headers = {"Accept": "*/*"}
        if Plan.languages:
            headers["Accept-Language"] = self.rng.choice(Plan.languages)
        if conditional:
            headers["If-None-Match"] = target.etag
        expected = (304, 0) if conditional else (200, target.size)
        name = f"{target.kind} (304)" if conditional else target.kind
        with self.client.get(
            target.path, headers=headers, name=name, catch_response=True
        ) as response:
            size = len(response.content or b"")
            if (response.status_code, size) == expected:
                response.success()
                Timeline.add()
            else:
                response.failure(
                    f"{target.path}: {response.status_code}, {size} bytes "
                    f"(expected {expected[0]}, {expected[1]} bytes)"
                )
            Counters.responses += 1
            if (response.headers or {}).get("Connection", "").lower() == "close":
                Counters.closed_by_server += 1


# --- The measured window -------------------------------------------------------------------


def entry_summary(entry: StatsEntry, seconds: float) -> dict[str, Any]:
    """One row of the report: locust's counts and percentiles for one kind of address."""
    measured = entry.num_requests - entry.num_none_requests
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.num_requests / seconds,
        "mb_per_s": entry.total_content_length / seconds / 1e6,
        **{
            key: (entry.get_response_time_percentile(p) if measured else None)
            for key, p in PERCENTILES.items()
        },
    }


def report(environment: Environment, usage: cpu.Usage, warmup_failures: int) -> dict[str, Any]:
    stats = environment.runner.stats
    seconds = usage.wall_s
    return {
        "window_s": seconds,
        "users": environment.runner.user_count,
        "warmup_failures": warmup_failures,
        "total": entry_summary(stats.total, seconds),
        "by_name": {
            name: entry_summary(entry, seconds)
            for (name, _method), entry in sorted(stats.entries.items())
        },
        "failures": [
            {"name": e.name, "error": str(e.error), "occurrences": e.occurrences}
            for e in stats.errors.values()
        ],
        "responses": Counters.responses,
        "closed_by_server": Counters.closed_by_server,
        "cpu": usage.as_dict(),
        "timeline": Timeline.as_dict(),
    }


def measure(environment: Environment) -> None:
    """Warm up, reset locust's statistics, measure, write the report, stop the run."""
    options = environment.parsed_options
    gevent.sleep(options.warmup)
    warmup_failures = environment.runner.stats.total.num_failures
    environment.runner.stats.reset_all()
    Counters.responses = Counters.closed_by_server = 0
    Timeline.reset()
    if options.started_file:
        Path(options.started_file).write_text(repr(Timeline.started))
    before = cpu.sample(options.server_pid, os.getpid())
    gevent.sleep(options.measure)
    after = cpu.sample(options.server_pid, os.getpid())
    Timeline.measuring = False  # what completes after the window is not counted
    result = report(environment, cpu.usage(before, after), warmup_failures)
    if options.report_json:
        Path(options.report_json).write_text(json.dumps(result, indent=2) + "\n")
    if warmup_failures:
        # Reset with the statistics, but they are failures all the same: exit non-zero.
        environment.process_exit_code = options.exit_code_on_error
    logging.info(
        "measured %.1f s after a %.1f s warm-up; stopping", after.at - before.at, options.warmup
    )
    environment.runner.quit()


@events.test_start.add_listener
def start_measuring(environment: Environment, **kwargs: Any) -> None:
    if isinstance(environment.runner, WorkerRunner) or environment.parsed_options is None:
        return
    if environment.parsed_options.report_json or environment.parsed_options.warmup:
        gevent.spawn(measure, environment).link_exception(
            lambda greenlet: stop_after_error(environment, greenlet)
        )


def stop_after_error(environment: Environment, greenlet: gevent.Greenlet) -> None:
    """The measurement itself failed: no report, and a non-zero exit."""
    logging.error("measuring failed: %r", greenlet.exception)
    environment.process_exit_code = 2
    environment.runner.quit()
