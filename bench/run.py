"""Benchmark: publishing time and public-page throughput on the production server.

Run as ``make bench`` (or ``.venv/bin/python bench/run.py [--smoke]``). Everything
happens in a throw-away directory with production-like settings (DEBUG off):

1. migrate, collectstatic, compilemessages (only if a .po is newer than its
   .mo) and ``load_demo --force`` into a temporary SQLite database (or into
   ``BENCH_DATABASE_URL`` if set; that database gets the demo data);
2. publish the largest demo register (most purposes + data categories +
   processors) several times in a fresh process and time each publish
   (both languages: page, embed, change log, JSON and PDF);
3. copy the published Finnish page and PDF byte for byte into STATIC_ROOT, so
   WhiteNoise serves files of exactly the same size from the same server
   (the ceiling for "serve stored bytes");
4. start gunicorn (``config.wsgi``, sync workers, ``BENCH_WORKERS`` or 2) on
   a free 127.0.0.1 port and load each URL with a small asyncio HTTP/1.1
   client: C connections for D seconds after a warm-up;
5. profile the notice page in-process (WSGI handler, queries, middleware,
   database connection reuse) to explain the gap between page and static;
6. print a table and write ``bench/results/latest.json``.

Only 127.0.0.1 is contacted, every loop is bounded by time and by count, and
gunicorn is stopped and the directory removed in ``finally``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
# The code under test: the working tree, or a committed revision exported by --ref.
PROJECT = {"dir": ROOT}
HOST = "127.0.0.1"
MARKER = "BENCH-JSON "
# Hard caps so that no loop can run away, whatever the options say.
MAX_REQUESTS_PER_URL = 2_000_000
REQUEST_TIMEOUT = 10.0
STARTUP_TIMEOUT = 60.0
CLIENT_BOUND_SHARE = 0.85  # client CPU time / wall time above this: client-bound
OTHER_LOAD_CORES = 0.2  # CPU used by processes other than server and client: a warning


def log(message: str) -> None:
    print(message, flush=True)


# --- Environment and management commands ---------------------------------------


def bench_env(tmp: Path) -> dict[str, str]:
    """Production-like settings pointing at the temporary directory."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="bench-only-secret-not-for-production-" + "x" * 24,
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def run(args: list[str], env: dict[str, str], logfile: Path) -> subprocess.CompletedProcess:
    """Run a command in the project directory; on failure show its output and stop."""
    result = subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
        args, cwd=PROJECT["dir"], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    with logfile.open("a") as out:
        out.write(f"$ {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        shown = " ".join(a if len(a) < 80 else a[:60] + "..." for a in args)
        raise SystemExit(f"bench: command failed ({result.returncode}): {shown}")
    return result


def manage(command: list[str], env: dict[str, str], logfile: Path) -> float:
    started = time.perf_counter()
    run([sys.executable, "manage.py", *command], env, logfile)
    return time.perf_counter() - started


def django_script(
    script: str, argv: list[str], env: dict[str, str], logfile: Path
) -> dict[str, Any]:
    """Run ``script`` with django.setup() done; it prints one MARKER line of JSON."""
    prelude = "import django\ndjango.setup()\n"
    result = run([sys.executable, "-c", prelude + script, *argv], env, logfile)
    for line in reversed(result.stdout.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    raise SystemExit(
        f"bench: no result from script\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
    )


def export_revision(ref: str, target: Path) -> str:
    """Extract the tree of ``ref`` (``git archive``) into ``target``; its commit id."""
    git = shutil.which("git") or "git"
    commit = subprocess.run(  # noqa: S603 (git with fixed arguments)
        [git, "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    target.mkdir()
    archive = subprocess.Popen(  # noqa: S603 (git with fixed arguments)
        [git, "archive", "--format=tar", commit], cwd=ROOT, stdout=subprocess.PIPE
    )
    with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
        tar.extractall(target, filter="data")
    if archive.wait(timeout=60) != 0:
        raise SystemExit(f"bench: git archive {ref} failed")
    return commit


def git_head() -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run(  # noqa: S603 (git with fixed arguments)
            [shutil.which("git") or "git", "rev-parse", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
    return "unknown"


def messages_stale() -> bool:
    for po in (PROJECT["dir"] / "locale").rglob("*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            return True
    return False


# --- Step 2: publish the largest demo notice -------------------------------------

PUBLISH_SCRIPT = r"""
import json, statistics, sys, time
from pathlib import Path
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db.models import Count
from controllers.models import Membership
from notices.models import NoticeVersion, Register
from notices.rendering import public_urls
from notices.services import notice_publish

runs, static_dir = int(sys.argv[1]), Path(sys.argv[2])
registers = list(
    Register.objects.select_related("controller").annotate(
        n_purposes=Count("purposes", distinct=True),
        n_categories=Count("data_categories", distinct=True),
        n_processors=Count("register_processors", distinct=True),
    )
)
if not registers:
    raise SystemExit("no registers: did load_demo run?")
register = max(
    registers, key=lambda r: (r.n_purposes + r.n_categories + r.n_processors, -r.pk)
)
membership = (
    Membership.objects.filter(
        controller=register.controller, role=Membership.Role.PUBLISHER, user__is_active=True
    )
    .select_related("user")
    .order_by("user__username")
    .first()
)
user = membership.user if membership else (
    get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
)
demo_versions = NoticeVersion.objects.count()
demo_published = Register.objects.filter(versions__isnull=False).distinct().count()
before = register.versions.count()
times = []
for i in range(runs):
    started = time.perf_counter()
    version = notice_publish(
        register=register,
        user=user,
        summary={"fi": f"Suorituskykymittaus {i + 1}.", "en": f"Benchmark publish {i + 1}."},
    )
    times.append(time.perf_counter() - started)
renderings = {r.language: r for r in version.renderings.all()}
fi = renderings.get("fi") or next(iter(renderings.values()))
static_dir.mkdir(parents=True, exist_ok=True)
(static_dir / "page-sized.html").write_bytes(fi.html.encode())
with default_storage.open(fi.pdf.name, "rb") as src:
    (static_dir / "pdf-sized.pdf").write_bytes(src.read())
urls = public_urls(register.controller.slug, register.slug, fi.language)
print("BENCH-JSON " + json.dumps({
    "controller": register.controller.slug,
    "register": register.slug,
    "parts": {"purposes": register.n_purposes, "data_categories": register.n_categories,
              "processors": register.n_processors},
    "registers": len(registers),
    "versions_before_bench": demo_versions,
    "registers_published_before_bench": demo_published,
    "register_versions_before": before,
    "publisher": user.username,
    "publisher_is_superuser": user.is_superuser,
    "languages": sorted(renderings),
    "runs_s": times,
    "min_s": min(times), "median_s": statistics.median(times), "max_s": max(times),
    "page_url": urls["detail"], "pdf_url": urls["pdf"], "language": fi.language,
    "page_bytes": {k: len(r.html.encode()) for k, r in renderings.items()},
    "pdf_bytes": {k: r.pdf_size for k, r in renderings.items()},
}))
"""


# --- Step 5b: in-process profile of the page ---------------------------------------

PROFILE_SCRIPT = r"""
import cProfile, io, json, pstats, statistics, sys, time
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from notices import views

urls, n, port = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
page = urls["page"]
lang, controller, register = page.strip("/").split("/")[:3]


def environ(path):
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": port, "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": f"127.0.0.1:{port}", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(app, path):
    status = []
    result = app(environ(path), lambda s, h, exc_info=None: status.append(s))
    try:
        size = sum(len(chunk) for chunk in result)
    finally:
        if hasattr(result, "close"):
            result.close()
    if not status[0].startswith("200"):
        raise SystemExit(f"{path}: {status[0]}")
    return size


def medians_ms(fns, count):
    # Interleaved rounds: background load disturbs every candidate alike.
    for _ in range(min(20, count)):
        for fn in fns.values():
            fn()
    samples = {key: [] for key in fns}
    for _ in range(count):
        for key, fn in fns.items():
            started = time.perf_counter()
            fn()
            samples[key].append(time.perf_counter() - started)
    return {key: statistics.median(values) * 1000 for key, values in samples.items()}


app = WSGIHandler()
out = {"n": n, "middleware": list(settings.MIDDLEWARE)}
out["full_ms"] = medians_ms({kind: (lambda u=url: call(app, u)) for kind, url in urls.items()}, n)

# Queries of one page request (health checks on a reused connection are not listed).
with CaptureQueriesContext(connection) as captured:
    call(app, page)
out["page_queries"] = [q["sql"] for q in captured.captured_queries]

# Is the database connection kept between requests (CONN_MAX_AGE)?
call(app, page)
first = id(connection.connection)
call(app, page)
out["conn_max_age"] = connection.settings_dict["CONN_MAX_AGE"]
out["conn_health_checks"] = connection.settings_dict["CONN_HEALTH_CHECKS"]
out["connection_reused"] = first == id(connection.connection)


def page_fresh_connection():
    connection.settings_dict["CONN_MAX_AGE"] = 0
    try:
        call(app, page)
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = out["conn_max_age"]


def raw_sql():
    with connection.cursor() as cursor:
        cursor.execute(out["page_queries"][0])
        cursor.fetchall()


factory = RequestFactory(SERVER_NAME="127.0.0.1")
parts = medians_ms(
    {
        "page": lambda: call(app, page),
        "page_conn_max_age_0": page_fresh_connection,
        # The view alone (no middleware, no URL resolving) and its one query.
        "view_only": lambda: views.detail(
            factory.get(page), lang=lang, controller=controller, register=register
        ),
        "orm_query": lambda: views._find(lang, controller, register, None, ["html"]),
        "raw_sql": raw_sql,
    },
    n,
)
connection.close()
out["parts_ms"] = parts

# The middleware chain built up one by one: the cost of each is the step it adds.
handlers = {}
for count in range(len(settings.MIDDLEWARE) + 1):
    with override_settings(MIDDLEWARE=settings.MIDDLEWARE[:count]):
        handlers[settings.MIDDLEWARE[count - 1] if count else "(none)"] = WSGIHandler()
out["page_middleware_chain_ms"] = medians_ms(
    {key: (lambda h=handler: call(h, page)) for key, handler in handlers.items()}, n
)

profiler = cProfile.Profile()
profiler.enable()
for _ in range(n):
    call(app, page)
profiler.disable()
for sort in ("tottime", "cumulative"):
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(sort).print_stats(20)
    listing = text.getvalue()
    out[f"profile_{sort}"] = listing[listing.find("   ncalls"):]
print("BENCH-JSON " + json.dumps(out))
"""


# --- Step 3: gunicorn ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, logfile: Path):
    args = [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--graceful-timeout",
        "5",
    ]
    out = logfile.open("ab")
    proc = subprocess.Popen(  # noqa: S603 (the project's gunicorn, fixed arguments)
        args,
        cwd=PROJECT["dir"],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    out.close()
    return proc


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        # Its own session: the group id is gunicorn's pid, nothing else is in it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def fetch(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """One plain GET (used for readiness and checks), bounded by ``timeout``."""
    import http.client

    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until_ready(proc: subprocess.Popen, port: int, path: str, logfile: Path) -> float:
    started = time.monotonic()
    while time.monotonic() - started < STARTUP_TIMEOUT:
        if proc.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited ({proc.returncode})\n{tail(logfile)}")
        with contextlib.suppress(OSError):
            status, _ = fetch(port, path, timeout=2)
            if status == 200:
                return time.monotonic() - started
        time.sleep(0.1)
    raise SystemExit(f"bench: gunicorn did not answer in {STARTUP_TIMEOUT:.0f} s\n{tail(logfile)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- CPU accounting (Linux /proc; empty elsewhere) -----------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo and len(pids) < 64:
        current = todo.pop()
        pids.append(current)
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            todo.extend(int(c) for c in children)
    return pids


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
    return total


def background_cores(seconds: float = 1.0) -> float:
    """Cores busy while we do nothing: load from other processes."""
    busy0 = machine_busy()
    time.sleep(seconds)
    busy1 = machine_busy()
    total = busy1[1] - busy0[1]
    return (busy1[0] - busy0[0]) / total * (os.cpu_count() or 1) if total else 0.0


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    with contextlib.suppress(OSError, ValueError):
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        return sum(values) - idle, sum(values)
    return 0.0, 0.0


# --- Step 5: the load client -----------------------------------------------------------


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    body_bytes: int = 0
    connects: int = 0
    attempts: int = 0

    def count(self, key: str) -> None:
        self.statuses[key] = self.statuses.get(key, 0) + 1


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool, int]:
    """Status, whether the connection stays open, body size. Minimal parsing."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    version, status = lines[0].split(b" ", 2)[:2]
    close = version == b"HTTP/1.0"
    length, chunked = None, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            value = value.strip().lower()
            close = value == b"close" or (close and value != b"keep-alive")
    if chunked:
        size = 0
        while True:
            chunk = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if chunk == 0:
                await reader.readuntil(b"\r\n")  # no trailers expected
                break
            size += len(await reader.readexactly(chunk + 2)) - 2
    elif length is not None:
        size = len(await reader.readexactly(length)) if length else 0
    else:
        size, close = len(await reader.read()), True
    return int(status), not close, size


async def connection_loop(
    port: int, request: bytes, measure_from: float, until: float, stats: Stats
) -> None:
    writer = None
    reader = None
    failures_in_a_row = 0
    while (
        time.perf_counter() < until
        and stats.attempts < MAX_REQUESTS_PER_URL
        and not Interrupt.signum
    ):
        stats.attempts += 1
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(HOST, port), REQUEST_TIMEOUT
                )
                if started >= measure_from:
                    stats.connects += 1
            writer.write(request)
            status, keep_alive, size = await asyncio.wait_for(
                read_response(reader), REQUEST_TIMEOUT
            )
        except (OSError, EOFError, ValueError, asyncio.IncompleteReadError, TimeoutError) as exc:
            if writer is not None:
                writer.close()
            writer = None
            finished = time.perf_counter()
            if started >= measure_from and finished <= until:
                stats.count(type(exc).__name__)
            failures_in_a_row += 1
            await asyncio.sleep(min(0.01 * failures_in_a_row, 0.5))
            continue
        failures_in_a_row = 0
        finished = time.perf_counter()
        if started >= measure_from and finished <= until:
            stats.latencies.append(finished - started)
            stats.count(str(status))
            stats.body_bytes += size
        if not keep_alive:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def load(port: int, path: str, connections: int, warmup: float, duration: float) -> Stats:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: notice-bench\r\n"
        "Accept: */*\r\n\r\n"
    ).encode()
    stats = Stats()
    start = time.perf_counter()
    measure_from, until = start + warmup, start + warmup + duration
    await asyncio.gather(
        *(connection_loop(port, request, measure_from, until, stats) for _ in range(connections))
    )
    return stats


async def pause(seconds: float) -> None:
    """Sleep, but wake up for SIGINT/SIGTERM."""
    until = time.perf_counter() + seconds
    while not Interrupt.signum and time.perf_counter() < until:
        await asyncio.sleep(min(0.1, max(0.0, until - time.perf_counter())))


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def measure(
    port: int, kind: str, path: str, expected: int, server: subprocess.Popen, opts: Any
) -> dict[str, Any]:
    pids = process_tree(server.pid)
    # Warm-up is part of the same run; CPU counters are sampled after it.
    loop = asyncio.new_event_loop()
    Interrupt.in_event_loop = True
    try:
        task = loop.create_task(load(port, path, opts.connections, opts.warmup, opts.duration))
        loop.run_until_complete(pause(opts.warmup))
        server_cpu0, client_cpu0, busy0 = cpu_seconds(pids), time.process_time(), machine_busy()
        wall0 = time.perf_counter()
        stats = loop.run_until_complete(task)
        wall = time.perf_counter() - wall0
        server_cpu, client_cpu = cpu_seconds(pids) - server_cpu0, time.process_time() - client_cpu0
        busy1 = machine_busy()
    finally:
        Interrupt.in_event_loop = False
        loop.close()
    Interrupt.check()
    ok = stats.statuses.get("200", 0)
    lat = sorted(stats.latencies)
    total_jiffies = busy1[1] - busy0[1]
    busy_cores = (
        (busy1[0] - busy0[0]) / total_jiffies * (os.cpu_count() or 1) if total_jiffies else 0
    )
    return {
        "kind": kind,
        "path": path,
        "bytes": expected,
        "requests": sum(stats.statuses.values()),
        "ok": ok,
        "errors": sum(v for k, v in stats.statuses.items() if k != "200"),
        "statuses": stats.statuses,
        "rps": ok / opts.duration,
        "mb_per_s": stats.body_bytes / opts.duration / 1e6,
        "p50_ms": percentile(lat, 50) * 1000,
        "p95_ms": percentile(lat, 95) * 1000,
        "p99_ms": percentile(lat, 99) * 1000,
        "connections_opened": stats.connects,
        "server_cpu_ms_per_req": server_cpu * 1000 / ok if ok else None,
        "server_cores": server_cpu / wall,
        "client_cores": client_cpu / wall,
        "other_cores": max(0.0, busy_cores - (server_cpu + client_cpu) / wall),
    }


# --- Report ---------------------------------------------------------------------------


def table(rows: list[dict[str, Any]]) -> str:
    header = (
        f"{'kind':<12} {'bytes':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6} {'srv CPU ms/req':>14} {'cores: server':>13} {'client':>6} {'other':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        cpu = r["server_cpu_ms_per_req"]
        lines.append(
            f"{r['kind']:<12} {r['bytes']:>7} {r['rps']:>7.0f} {r['p50_ms']:>7.1f} "
            f"{r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['errors']:>6} "
            f"{(f'{cpu:.2f}' if cpu is not None else '-'):>14} {r['server_cores']:>13.2f} "
            f"{r['client_cores']:>6.2f} {r['other_cores']:>6.2f}"
        )
    return "\n".join(lines)


def findings(rows: dict[str, dict[str, Any]], profile: dict[str, Any] | None) -> list[str]:
    notes = []
    page, static = rows.get("page"), rows.get("static-page")
    if page and static and page["rps"] and static["rps"]:
        notes.append(
            f"page/static throughput: {page['rps'] / static['rps']:.0%} "
            f"({page['rps']:.0f} vs {static['rps']:.0f} req/s)"
        )
        if page["server_cpu_ms_per_req"] and static["server_cpu_ms_per_req"]:
            notes.append(
                f"server CPU per request: page {page['server_cpu_ms_per_req']:.2f} ms, "
                f"static {static['server_cpu_ms_per_req']:.2f} ms "
                "(independent of the client's speed)"
            )
    cores = os.cpu_count() or 1
    notes.append(
        f"CPU-bound ceiling if gunicorn had all {cores} cores to itself (cores / srv CPU "
        "per request): "
        + ", ".join(
            f"{r['kind']} ~{cores * 1000 / r['server_cpu_ms_per_req']:.0f} req/s"
            for r in rows.values()
            if r["server_cpu_ms_per_req"]
        )
    )
    for r in rows.values():
        if r["client_cores"] >= CLIENT_BOUND_SHARE:
            notes.append(
                f"{r['kind']}: the load client used {r['client_cores']:.0%} of a core: it is "
                "(close to) the bottleneck, so req/s is a lower bound; compare "
                "'srv CPU ms/req' instead"
            )
        used = r["server_cores"] + r["client_cores"] + r["other_cores"]
        if used >= 0.85 * (os.cpu_count() or 1):
            notes.append(
                f"{r['kind']}: the machine was CPU-saturated ({used:.2f} of "
                f"{os.cpu_count()} cores busy: server {r['server_cores']:.2f}, client "
                f"{r['client_cores']:.2f}); req/s is what the server got of the CPUs left"
            )
        if r["other_cores"] >= OTHER_LOAD_CORES:
            notes.append(
                f"{r['kind']}: other processes on this machine used {r['other_cores']:.2f} "
                "cores during the run: its figures are disturbed"
            )
    for r in rows.values():
        if r["connections_opened"] >= 0.9 * max(r["requests"], 1):
            notes.append(
                f"{r['kind']}: {r['connections_opened']} connections for {r['requests']} "
                "requests: gunicorn's sync worker closes every connection (no keep-alive)"
            )
            break
    if profile:
        full = profile["full_ms"]
        notes.append(
            "in-process median per request (WSGI handler, no network): "
            + ", ".join(f"{k} {v:.3f} ms" for k, v in full.items())
        )
        parts, chain = profile["parts_ms"], profile["page_middleware_chain_ms"]
        notes.append(
            f"page: {len(profile['page_queries'])} SQL query per request; that query through "
            f"the ORM {parts['orm_query']:.3f} ms, as raw SQL {parts['raw_sql']:.3f} ms; "
            f"view alone {parts['view_only']:.3f} ms; handler without middleware "
            f"{chain['(none)']:.3f} ms; full {parts['page']:.3f} ms"
        )
        steps, previous = [], chain["(none)"]
        for name, ms in chain.items():
            if name != "(none)":
                steps.append(f"{name.rsplit('.', 1)[-1]} {ms - previous:+.3f}")
                previous = ms
        notes.append("middleware added one by one (page, ms): " + ", ".join(steps))
        notes.append(
            f"database connection: CONN_MAX_AGE={profile['conn_max_age']}, reused between "
            f"requests: {profile['connection_reused']}, health checks "
            f"{profile['conn_health_checks']}; page with a new connection per request "
            f"(CONN_MAX_AGE=0): {parts['page_conn_max_age_0']:.3f} ms"
        )
    return notes


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="quick run: 1 s per URL, 4 conns")
    parser.add_argument("--connections", "-c", type=int, default=16)
    parser.add_argument("--duration", "-d", type=float, default=10.0, help="seconds per URL")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)))
    parser.add_argument("--publish-runs", type=int, default=5)
    parser.add_argument("--profile-requests", type=int, default=300)
    parser.add_argument("--no-profile", action="store_true", help="skip the in-process profile")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--ref",
        help="benchmark this committed revision (e.g. HEAD), exported into the temporary "
        "directory, instead of the working tree with its uncommitted changes",
    )
    opts = parser.parse_args()
    if opts.smoke:
        opts.connections, opts.duration, opts.warmup = 4, 1.0, 0.5
        opts.publish_runs, opts.profile_requests = 1, 30
    opts.connections = max(1, min(opts.connections, 256))
    opts.duration = max(0.5, min(opts.duration, 600.0))
    opts.warmup = max(0.0, min(opts.warmup, 60.0))
    opts.publish_runs = max(1, min(opts.publish_runs, 50))
    opts.profile_requests = max(10, min(opts.profile_requests, 5000))
    return opts


class Interrupt:
    """SIGINT/SIGTERM: raise at once, or let the event loop wind down first."""

    signum = 0
    in_event_loop = False

    @classmethod
    def handler(cls, signum: int, frame: Any) -> None:
        cls.signum = signum
        if not cls.in_event_loop:
            raise SystemExit(128 + signum)  # the finally blocks stop gunicorn, remove tmp

    @classmethod
    def check(cls) -> None:
        if cls.signum:
            raise SystemExit(128 + cls.signum)


def main() -> int:
    opts = parse_args()
    signal.signal(signal.SIGTERM, Interrupt.handler)
    signal.signal(signal.SIGINT, Interrupt.handler)
    tmp = Path(tempfile.mkdtemp(prefix="notice-bench-"))
    env = bench_env(tmp)
    logfile = tmp / "bench.log"
    server = None
    results: dict[str, Any] = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(opts).items()},
        "database": "BENCH_DATABASE_URL" if os.environ.get("BENCH_DATABASE_URL") else "sqlite",
    }
    try:
        if opts.ref:
            PROJECT["dir"] = tmp / "src"
            results["code"] = {"ref": opts.ref, "commit": export_revision(opts.ref, tmp / "src")}
        else:
            results["code"] = {"ref": "working tree", "commit": git_head()}
        log(
            f"bench: working in {tmp} ({results['database']}, {os.cpu_count()} CPUs), "
            f"code: {results['code']['ref']} ({results['code']['commit'][:12]})"
        )
        setup = {}
        setup["migrate_s"] = manage(["migrate", "--noinput", "-v0"], env, logfile)
        setup["collectstatic_s"] = manage(["collectstatic", "--noinput", "-v0"], env, logfile)
        if messages_stale():
            setup["compilemessages_s"] = manage(
                ["compilemessages", "--ignore=.venv", "-v0"], env, logfile
            )
        setup["load_demo_s"] = manage(["load_demo", "--force"], env, logfile)
        results["setup"] = setup
        log("bench: setup " + ", ".join(f"{k} {v:.1f}" for k, v in setup.items()))

        log(f"bench: publishing the largest demo notice {opts.publish_runs} times ...")
        static_dir = Path(env["STATIC_ROOT"]) / "bench"
        publish = django_script(
            PUBLISH_SCRIPT, [str(opts.publish_runs), str(static_dir)], env, logfile
        )
        results["publish"] = publish
        lang = publish["language"]
        page_bytes, pdf_bytes = publish["page_bytes"][lang], publish["pdf_bytes"][lang]
        urls = {
            "static-page": ("/static/bench/page-sized.html", page_bytes),
            "page": (publish["page_url"], page_bytes),
            "static-pdf": ("/static/bench/pdf-sized.pdf", pdf_bytes),
            "pdf": (publish["pdf_url"], pdf_bytes),
        }

        port = free_port()
        server = start_gunicorn(env, port, opts.workers, tmp / "gunicorn.log")
        ready = wait_until_ready(server, port, urls["static-page"][0], tmp / "gunicorn.log")
        results["server"] = {
            "command": f"gunicorn config.wsgi --workers {opts.workers} --worker-class sync",
            "port": port,
            "ready_s": ready,
        }
        log(f"bench: gunicorn ({opts.workers} sync workers) answering on {HOST}:{port}")
        for kind, (path, expected) in urls.items():
            status, body = fetch(port, path)
            if status != 200 or len(body) != expected:
                raise SystemExit(f"bench: {kind} {path}: {status}, {len(body)} != {expected} B")

        idle_load = background_cores()
        results["background_cores_before_load"] = idle_load
        if idle_load >= OTHER_LOAD_CORES:
            log(
                f"bench: warning: other processes keep {idle_load:.2f} of {os.cpu_count()} "
                "cores busy; the figures will be disturbed"
            )
        rows: dict[str, dict[str, Any]] = {}
        for kind, (path, expected) in urls.items():
            log(
                f"bench: {kind:<12} {path} - {opts.connections} connections, "
                f"{opts.warmup:g} s warm-up + {opts.duration:g} s"
            )
            rows[kind] = measure(port, kind, path, expected, server, opts)
        results["load"] = list(rows.values())
        stop_gunicorn(server)

        profile = None
        if not opts.no_profile:
            log("bench: profiling the page in-process ...")
            paths = {kind: path for kind, (path, _) in urls.items()}
            profile = django_script(
                PROFILE_SCRIPT,
                [json.dumps(paths), str(opts.profile_requests), str(port)],
                env,
                logfile,
            )
            results["profile"] = profile
        notes = findings(rows, profile)
        results["findings"] = notes

        p = publish
        log("")
        log(
            f"Largest demo notice: /{p['controller']}/{p['register']}/ "
            f"({p['parts']['purposes']} purposes, {p['parts']['data_categories']} data "
            f"categories, {p['parts']['processors']} processors; languages "
            f"{', '.join(p['languages'])}); load_demo had published {p['versions_before_bench']} "
            f"versions of {p['registers_published_before_bench']}/{p['registers']} registers"
        )
        log(
            f"Publish (all languages, page + PDF), {len(p['runs_s'])} runs as "
            f"{p['publisher']}: min {p['min_s']:.2f} s, median {p['median_s']:.2f} s, "
            f"max {p['max_s']:.2f} s  [{', '.join(f'{t:.2f}' for t in p['runs_s'])}]"
        )
        log("")
        log(
            f"gunicorn {opts.workers} sync workers, {opts.connections} connections, "
            f"{opts.duration:g} s per URL ({os.cpu_count()} CPUs shared by server and client)"
        )
        log(table(list(rows.values())))
        log("")
        for note in notes:
            log(f"- {note}")
        if profile:
            log("\nPage profile (tottime, top entries):")
            log(profile["profile_tottime"].rstrip())
        opts.output.parent.mkdir(parents=True, exist_ok=True)
        opts.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
        log(f"\nbench: results written to {opts.output}")
        return 1 if any(r["errors"] or not r["ok"] for r in rows.values()) else 0
    finally:
        if server is not None:
            stop_gunicorn(server)
        if opts.keep:
            log(f"bench: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
