"""Publishing in the middle of the load: readers' throughput while a publish runs.

Issue 14: a publish renders a PDF per language, which competes with readers for
the CPU on a small machine; readers' throughput while a publish runs must stay
within 10% of what it is around it. ``make load`` measures it: the largest
notice (every language, ``bench_publisher``) is published through the admin's
publish form on the same gunicorn the visitors read from, as a publisher
would, up to ``--publishes`` times in the measured window, each between two
stretches of readers alone (``PublishDuringLoad``). Its company's
addresses are left out of the visitors' plan (what they answer changes with
each publish; every other address must keep answering the same bytes).

The locustfile counts successful responses per tenth of a second of wall-clock
time (``Timeline``); the publishes are timed on the same clock, from sending
the form to its answer. Throughput during the publishes is compared with the
rest of the measured window, leaving out a second before each publish's form
was fetched and a second after its answer: the ratio, its target (0.9) and
each publish's time are printed.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from bench.harness import HOST, fetch

TARGET = 0.90  # readers' throughput during a publish / around it, at least
# Left out of the baseline around each publish: its form is fetched just before.
MARGIN_BEFORE_S = 1.0
MARGIN_AFTER_S = 1.0
FORM_TO_POST_S = 0.5  # between fetching the publish form and sending it
STARTED_TIMEOUT_S = 120.0  # for locust to start measuring
PUBLISH_TIMEOUT_S = 120.0
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PublishFailed(Exception):
    """A publish did not answer with the redirect that follows success."""


@dataclass
class Publish:
    """One publish through the admin: when its form was sent and answered (epoch seconds)."""

    form_at: float
    started: float
    ended: float

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class AdminPublisher:
    """The publisher's browser, reduced to two requests: the publish form, then its POST."""

    port: int
    publisher: dict[str, Any]  # bench_publisher's result
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        cookie = self.publisher["cookie"]
        self.cookies[cookie["name"]] = cookie["value"]

    def _request(
        self, method: str, body: str | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=PUBLISH_TIMEOUT_S)
        try:
            conn.request(method, self.publisher["publish_path"], body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, data

    def publish(self, summary: str) -> Publish:
        """Fetch the form, send it with ``summary`` in every language; timed."""
        form_at = time.time()
        response, page = self._request("GET")
        found = _CSRF_FIELD.search(page.decode(errors="replace"))
        if response.status != 200 or not found:
            raise PublishFailed(f"the publish form answered {response.status}")
        fields = {"csrfmiddlewaretoken": found.group(1), "effective_date": ""}
        fields |= {f"summary_{code}": summary for code in self.publisher["languages"]}
        time.sleep(FORM_TO_POST_S)
        started = time.time()
        response, page = self._request("POST", urllib.parse.urlencode(fields))
        ended = time.time()
        if response.status != 302:
            text = re.sub(r"\s+", " ", page.decode(errors="replace"))
            problems = re.findall(r'class="errorlist[^"]*">(.*?)</ul>', text)[:3]
            raise PublishFailed(f"publishing answered {response.status}: {problems or text[:300]}")
        return Publish(form_at, started, ended)

    def live_version(self) -> int:
        """The version number the notice's JSON serves now."""
        p = self.publisher
        path = f"/{p['languages'][0]}/{p['controller']}/{p['register']}/notice.json"
        status, body, _etag = fetch(self.port, path)
        if status != 200:
            raise PublishFailed(f"{path} answered {status}")
        return int(json.loads(body)["version"])


class PublishDuringLoad(threading.Thread):
    """Publishes ``count`` times, evenly spread over the measured window, in a thread.

    Waits for the locustfile to write the moment it starts measuring into
    ``started_file``. Readers are left alone for a ``2 * count + 1``-th of the
    window before the first publish and between publishes, or as long as the
    publish before took if longer (a busy machine slows publishing down): every
    publish has readers alone on both sides, the baseline it is compared with.
    A publish that would end after the window is not started. ``error`` says
    what failed, if anything.
    """

    def __init__(
        self, publisher: AdminPublisher, *, count: int, duration: float, started_file: Path
    ) -> None:
        super().__init__(name="publish-during-load", daemon=True)
        self.publisher = publisher
        self.count = count
        self.duration = duration
        self.started_file = started_file
        started_file.unlink(missing_ok=True)  # an earlier run's must not be read as this one's
        self.publishes: list[Publish] = []
        self.error: str | None = None
        self.version_before = publisher.live_version()
        self.version_after: int | None = None

    def run(self) -> None:
        try:
            window_start = self._wait_for_window()
            window_end = window_start + self.duration
            alone = self.duration / (2 * self.count + 1)  # readers alone before each publish
            due = window_start + alone
            for index in range(self.count):
                time.sleep(max(0.0, due - time.time()))
                if self.publishes and due + self.publishes[-1].seconds > window_end:
                    break  # the next would end after the window: readers alone until its end
                summary = f"Load test: publish {index + 1} of {self.count} while visitors read."
                publish = self.publisher.publish(summary)
                self.publishes.append(publish)
                # As long alone as the publish took (publishes slow down on a busy machine).
                due = publish.ended + MARGIN_AFTER_S + max(alone, publish.seconds) + MARGIN_BEFORE_S
            self.version_after = self.publisher.live_version()
            if self.version_after != self.version_before + len(self.publishes):
                raise PublishFailed(
                    f"the notice serves version {self.version_after} after "
                    f"{len(self.publishes)} publishes of version {self.version_before}"
                )
        except Exception as error:  # reported by the runner, which then exits 1
            self.error = f"{type(error).__name__}: {error}"

    def _wait_for_window(self) -> float:
        deadline = time.monotonic() + STARTED_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                return float(self.started_file.read_text())
            except (OSError, ValueError):
                time.sleep(0.05)
        raise PublishFailed("locust did not start measuring")


def _overlap(a: float, b: float, c: float, d: float) -> float:
    return max(0.0, min(b, d) - max(a, c))


def _served(timeline: dict[str, Any], low: float, high: float) -> float:
    """Requests completed between ``low`` and ``high``; a bin counts by its overlap."""
    start, width = timeline["started"], timeline["bin_s"]
    return (
        sum(
            count * _overlap(start + i * width, start + (i + 1) * width, low, high)
            for i, count in enumerate(timeline["counts"])
        )
        / width
    )


def throughput(timeline: dict[str, Any], publishes: list[Publish]) -> dict[str, Any]:
    """Readers' successful requests per second during the publishes and around them.

    A bin of the timeline counts towards a publish in proportion to its overlap
    with the publish's time; a bin that touches a publish or its margins is left
    out of the baseline.
    """
    start, width, counts = timeline["started"], timeline["bin_s"], timeline["counts"]
    end = start + width * len(counts)
    during_requests = during_s = 0.0
    per_publish = []
    for publish in publishes:
        requests = _served(timeline, publish.started, publish.ended)
        seconds = _overlap(start, end, publish.started, publish.ended)
        per_publish.append(
            {
                "seconds": publish.seconds,
                "measured_s": seconds,
                "rps": requests / seconds if seconds else None,
            }
        )
        during_requests += requests
        during_s += seconds
    excluded = [(p.form_at - MARGIN_BEFORE_S, p.ended + MARGIN_AFTER_S) for p in publishes]
    base_requests = base_bins = 0
    for index, count in enumerate(counts):
        low, high = start + index * width, start + (index + 1) * width
        if not any(_overlap(low, high, a, b) for a, b in excluded):
            base_requests += count
            base_bins += 1
    baseline = base_requests / (base_bins * width) if base_bins else None
    during = during_requests / during_s if during_s else None
    ratio = during / baseline if during is not None and baseline else None
    return {
        "publishes": per_publish,
        "during_rps": during,
        "during_s": during_s,
        "baseline_rps": baseline,
        "baseline_s": base_bins * width,
        "ratio": ratio,
        "target": TARGET,
        "ok": ratio is not None and ratio >= TARGET,
        "outside_window": sum(p.seconds for p in publishes) - during_s,
    }
