"""Load test: many visitors on the production server, over many notices, for a bounded time.

Run as ``make load`` (or ``.venv/bin/python load/run.py [--smoke]``). In a
throw-away directory, with production-like settings (DEBUG off, gunicorn):

1. migrate, collectstatic, compilemessages (if a .po is newer than its .mo) and
   ``load_demo --force`` (three demo companies, every notice published twice);
2. seed ``--registers`` more registers, copies of the demo registers spread over
   the three companies, and publish each (both languages: page, PDF, JSON);
3. start gunicorn on a free 127.0.0.1 port and fetch every public address once:
   each must answer 200, and its size and ETag are noted;
4. let ``--visitors`` concurrent visitors (an asyncio HTTP/1.1 client) read
   random addresses for ``--duration`` seconds after a warm-up: notice pages,
   PDFs, notice.json, change logs, embeds, earlier versions and company indexes,
   in Finnish and English, one in ten as a conditional request (If-None-Match,
   answered 304) as a browser or CDN revalidating its copy;
5. report requests, errors, requests per second and p50/p95/p99 latency, in all
   and by kind of address, and exit 1 if there was any error.

An error is a status other than the one expected (200, or 304 for a conditional
request), a body of another size than the address answered before, a timeout
or a connection failure. Only 127.0.0.1 is contacted; every loop is bounded by
time and by count; gunicorn is stopped and the directory removed in ``finally``.

The environment, management commands, gunicorn and the HTTP response parser come
from the benchmark (bench/run.py), so both drive the server the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import run as bench  # noqa: E402 (needs the project root on the path)

HOST = bench.HOST
MAX_REQUESTS = 5_000_000  # whatever the options say, no loop runs away
CONDITIONAL_SHARE = 0.1
# How often each kind of address is read: notice pages most, PDFs next.
MIX = {
    "page": 40,
    "pdf": 20,
    "json": 10,
    "changelog": 8,
    "embed": 7,
    "version": 5,
    "version-pdf": 4,
    "index": 6,
}


def log(message: str) -> None:
    print(message, flush=True)


# --- Seeding: more published registers ------------------------------------------------------

SEED_SCRIPT = r"""
import json, sys, time
from django.contrib.auth import get_user_model
from django.db import transaction
from controllers.models import Controller, Membership
from notices import models as m
from notices.rendering import public_urls, version_urls
from notices.services import notice_publish

extra = int(sys.argv[1])

PARTS = [
    m.DataSubjectGroup, m.Purpose, m.DataCategory, m.Source, m.Recipient,
    m.RegisterProcessor, m.Transfer, m.RetentionRule, m.SecurityMeasure, m.Cookie,
    m.RegisterRight,
]


def copy_register(source, number):
    # A copy of ``source`` with every part, under a new address name.
    with transaction.atomic():
        register = m.Register.objects.get(pk=source.pk)
        register.pk = register.id = None
        register.slug = f"{source.slug}-{number}"[:60]
        register.name_fi = f"{source.name_fi} {number}"
        register.name_en = f"{source.name_en or source.name_fi} {number}"
        register.is_online = True
        register.save()
        renumbered = {}
        for model in PARTS:
            for part in model.objects.filter(register=source).order_by("pk"):
                old = part.pk
                groups = list(part.subject_groups.all()) if model is m.DataCategory else None
                bases = list(part.legal_bases.all()) if model is m.Purpose else None
                part.pk = part.id = None
                part.register = register
                if model is m.RetentionRule and part.data_category_id:
                    part.data_category_id = renumbered[(m.DataCategory, part.data_category_id)]
                part.save()
                renumbered[(model, old)] = part.pk
                if groups is not None:
                    part.subject_groups.set(
                        [renumbered[(m.DataSubjectGroup, g.pk)] for g in groups]
                    )
                if bases is not None:
                    part.legal_bases.set(bases)
    return register


def publisher_of(controller):
    membership = Membership.objects.filter(
        controller=controller, role=Membership.Role.PUBLISHER, user__is_active=True
    ).select_related("user").order_by("user__username").first()
    if membership:
        return membership.user
    return get_user_model().objects.filter(is_superuser=True, is_active=True).first()


sources = list(
    m.Register.objects.filter(versions__isnull=False).distinct().select_related("controller")
    .order_by("controller__slug", "slug")
)
if not sources:
    raise SystemExit("no published registers: did load_demo run?")
times = []
for number in range(1, extra + 1):
    source = sources[(number - 1) % len(sources)]
    register = copy_register(source, number)
    started = time.perf_counter()
    notice_publish(
        register=register,
        user=publisher_of(register.controller),
        summary={"fi": "Kuormitustestin julkaisu.", "en": "Load test publication."},
    )
    times.append(time.perf_counter() - started)

paths = []
registers = m.Register.objects.filter(is_online=True, versions__isnull=False).distinct()
for register in registers.select_related("controller").order_by("controller__slug", "slug"):
    latest = register.versions.order_by("-number").first()
    slugs = (register.controller.slug, register.slug)
    for language in latest.languages:
        urls = public_urls(*slugs, language)
        first = version_urls(*slugs, language, 1)
        paths += [
            ("page", urls["detail"]), ("pdf", urls["pdf"]), ("json", urls["json"]),
            ("changelog", urls["versions"]), ("embed", urls["embed"]),
            ("version", first["page"]), ("version-pdf", first["pdf"]),
        ]
for controller in Controller.objects.filter(registers__versions__isnull=False).distinct():
    for language in ("fi", "en"):
        paths.append(("index", f"/{language}/{controller.slug}/"))
print("BENCH-JSON " + json.dumps({
    "registers": registers.count(),
    "controllers": Controller.objects.count(),
    "versions": m.NoticeVersion.objects.count(),
    "seeded": extra,
    "publish_s": times,
    "paths": sorted(set(paths)),
}))
"""


# --- The visitors ---------------------------------------------------------------------------


@dataclass
class Target:
    kind: str
    path: str
    size: int
    etag: str


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_examples: list[str] = field(default_factory=list)
    body_bytes: int = 0
    attempts: int = 0

    def error(self, key: str, example: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1
        if len(self.error_examples) < 10:
            self.error_examples.append(example)


def head_request(port: int, path: str) -> tuple[int, int, str]:
    """Status, body size and ETag of one plain GET (before the load starts)."""
    import http.client

    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, len(response.read()), response.getheader("ETag") or ""
    finally:
        conn.close()


async def visitor(
    port: int,
    targets: list[Target],
    weights: list[float],
    rng: random.Random,
    measure_from: float,
    until: float,
    results: Results,
) -> None:
    """One visitor: request after request until ``until``; gunicorn closes each connection."""
    failures_in_a_row = 0
    while (
        time.perf_counter() < until
        and results.attempts < MAX_REQUESTS
        and not bench.Interrupt.signum
    ):
        results.attempts += 1
        target = rng.choices(targets, weights)[0]
        conditional = bool(target.etag) and rng.random() < CONDITIONAL_SHARE
        language = rng.choice(("fi", "en"))
        request = (
            f"GET {target.path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"User-Agent: notice-load\r\nAccept-Language: {language}\r\nAccept: */*\r\n"
            + (f"If-None-Match: {target.etag}\r\n" if conditional else "")
            + "\r\n"
        ).encode()
        expected = (304, 0) if conditional else (200, target.size)
        started = time.perf_counter()
        writer = None
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(HOST, port), bench.REQUEST_TIMEOUT
            )
            writer.write(request)
            status, _keep_alive, size = await asyncio.wait_for(
                bench.read_response(reader), bench.REQUEST_TIMEOUT
            )
        except (OSError, EOFError, ValueError, asyncio.IncompleteReadError, TimeoutError) as exc:
            finished = time.perf_counter()
            if started >= measure_from and finished <= until:
                results.error(type(exc).__name__, f"{target.path}: {type(exc).__name__} {exc}")
            failures_in_a_row += 1
            await asyncio.sleep(min(0.01 * failures_in_a_row, 0.5))
            continue
        finally:
            if writer is not None:
                writer.close()
        failures_in_a_row = 0
        finished = time.perf_counter()
        if not (started >= measure_from and finished <= until):
            continue  # warm-up, or still running when the time was up
        key = f"{target.kind}{' (304)' if conditional else ''}"
        results.latencies.setdefault(key, []).append(finished - started)
        results.statuses[str(status)] = results.statuses.get(str(status), 0) + 1
        results.body_bytes += size
        if (status, size) != expected:
            results.error(
                f"status {status}" if status != expected[0] else "wrong size",
                f"{target.path}: {status}, {size} bytes (expected {expected[0]}, "
                f"{expected[1]} bytes)",
            )


async def drive(
    port: int, targets: list[Target], visitors: int, warmup: float, duration: float, seed: int
) -> Results:
    weights = [
        MIX[target.kind] / sum(1 for t in targets if t.kind == target.kind) for target in targets
    ]
    results = Results()
    start = time.perf_counter()
    measure_from, until = start + warmup, start + warmup + duration
    await asyncio.gather(
        *(
            visitor(port, targets, weights, random.Random(seed + n), measure_from, until, results)
            for n in range(visitors)
        )
    )
    return results


# --- Report ----------------------------------------------------------------------------------


def summary(latencies: list[float], duration: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": len(ordered) / duration,
        "p50_ms": bench.percentile(ordered, 50) * 1000,
        "p95_ms": bench.percentile(ordered, 95) * 1000,
        "p99_ms": bench.percentile(ordered, 99) * 1000,
    }


def table(rows: dict[str, dict[str, float]]) -> str:
    header = f"{'kind':<18} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    lines = [header, "-" * len(header)]
    for kind, row in rows.items():
        lines.append(
            f"{kind:<18} {row['requests']:>8} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f}"
        )
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--smoke", action="store_true", help="CI: 2 extra registers, 8 visitors, 1 s + 4 s"
    )
    parser.add_argument("--registers", type=int, default=21, help="extra registers to publish")
    parser.add_argument("--visitors", "-c", type=int, default=32, help="concurrent visitors")
    parser.add_argument("--duration", "-d", type=float, default=60.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("LOAD_WORKERS", 0)) or os.cpu_count()
    )
    parser.add_argument("--seed", type=int, default=2026, help="of the visitors' random choices")
    parser.add_argument("--output", type=Path, help="also write the results here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    opts = parser.parse_args()
    if opts.smoke:
        opts.registers, opts.visitors, opts.duration, opts.warmup = 2, 8, 4.0, 1.0
    opts.registers = max(0, min(opts.registers, 200))
    opts.visitors = max(1, min(opts.visitors, 256))
    opts.duration = max(1.0, min(opts.duration, 900.0))
    opts.warmup = max(0.0, min(opts.warmup, 60.0))
    opts.workers = max(1, min(opts.workers, 16))
    return opts


def main() -> int:
    opts = parse_args()
    signal.signal(signal.SIGTERM, bench.Interrupt.handler)
    signal.signal(signal.SIGINT, bench.Interrupt.handler)
    tmp = Path(tempfile.mkdtemp(prefix="notice-load-"))
    env = bench.bench_env(tmp)
    env["DATABASE_URL"] = os.environ.get("LOAD_DATABASE_URL") or f"sqlite:///{tmp / 'load.sqlite3'}"
    database = "LOAD_DATABASE_URL" if os.environ.get("LOAD_DATABASE_URL") else "sqlite"
    logfile = tmp / "load.log"
    server = None
    try:
        log(f"load: working in {tmp} ({database}, {os.cpu_count()} CPUs)")
        started = time.perf_counter()
        bench.manage(["migrate", "--noinput", "-v0"], env, logfile)
        bench.manage(["collectstatic", "--noinput", "-v0"], env, logfile)
        if bench.messages_stale():
            bench.manage(["compilemessages", "--ignore=.venv", "-v0"], env, logfile)
        bench.manage(["load_demo", "--force"], env, logfile)
        log(f"load: demo data loaded and published in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        seeded = bench.django_script(SEED_SCRIPT, [str(opts.registers)], env, logfile)
        log(
            f"load: published {opts.registers} more registers in "
            f"{time.perf_counter() - started:.1f} s: {seeded['registers']} registers of "
            f"{seeded['controllers']} companies, {seeded['versions']} versions, "
            f"{len(seeded['paths'])} public addresses"
        )

        port = bench.free_port()
        server = bench.start_gunicorn(env, port, opts.workers, tmp / "gunicorn.log")
        first = seeded["paths"][0][1]
        bench.wait_until_ready(server, port, first, tmp / "gunicorn.log")
        targets = []
        for kind, path in seeded["paths"]:
            status, size, etag = head_request(port, path)
            if status != 200:
                raise SystemExit(f"load: {path} answered {status} before the load")
            targets.append(Target(kind, path, size, etag))
        log(
            f"load: gunicorn ({opts.workers} sync workers) on {HOST}:{port}; {opts.visitors} "
            f"visitors for {opts.warmup:g} s warm-up + {opts.duration:g} s"
        )

        idle_load = bench.background_cores()
        if idle_load >= bench.OTHER_LOAD_CORES:
            log(
                f"load: warning: other processes keep {idle_load:.2f} of {os.cpu_count()} "
                "cores busy before the load starts; the figures will be disturbed"
            )
        pids = bench.process_tree(server.pid)
        cpu_before, client_before = bench.cpu_seconds(pids), time.process_time()
        busy_before = bench.machine_busy()
        loop = asyncio.new_event_loop()
        bench.Interrupt.in_event_loop = True
        try:
            wall_started = time.perf_counter()
            results = loop.run_until_complete(
                drive(port, targets, opts.visitors, opts.warmup, opts.duration, opts.seed)
            )
            wall = time.perf_counter() - wall_started
        finally:
            bench.Interrupt.in_event_loop = False
            loop.close()
        bench.Interrupt.check()
        server_cpu = bench.cpu_seconds(pids) - cpu_before
        client_cpu = time.process_time() - client_before
        busy_after = bench.machine_busy()
        jiffies = busy_after[1] - busy_before[1]
        busy_cores = (
            (busy_after[0] - busy_before[0]) / jiffies * (os.cpu_count() or 1) if jiffies else 0
        )
        other_cores = max(0.0, busy_cores - (server_cpu + client_cpu) / wall)
        if server.poll() is not None:
            results.error("server died", f"gunicorn exited with {server.returncode}")
        bench.stop_gunicorn(server)

        everything = [lat for values in results.latencies.values() for lat in values]
        rows = {"all": summary(everything, opts.duration)}
        rows.update(
            {
                kind: summary(values, opts.duration)
                for kind, values in sorted(results.latencies.items())
            }
        )
        errors = sum(results.errors.values())
        report = {
            "database": database,
            "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(opts).items()},
            "registers": seeded["registers"],
            "versions": seeded["versions"],
            "addresses": len(targets),
            "seed_publish_s": seeded["publish_s"],
            "statuses": results.statuses,
            "errors": results.errors,
            "error_examples": results.error_examples,
            "mb_per_s": results.body_bytes / opts.duration / 1e6,
            "server_cores": server_cpu / wall,
            "client_cores": client_cpu / wall,
            "other_cores": other_cores,
            "server_cpu_ms_per_request": server_cpu * 1000 / len(everything)
            if everything
            else None,
            "other_cores_before": idle_load,
            "results": rows,
        }
        log("")
        log(
            f"{rows['all']['requests']} requests in {opts.duration:g} s over {len(targets)} "
            f"addresses ({seeded['registers']} registers, fi and en), {opts.visitors} visitors, "
            f"gunicorn {opts.workers} sync workers, {database}"
        )
        log(table(rows))
        log(
            f"errors: {errors}"
            + (f" {results.errors}" if errors else "")
            + f"; statuses {results.statuses}; {report['mb_per_s']:.1f} MB/s; cores used: "
            f"server {report['server_cores']:.2f}, load client {report['client_cores']:.2f}, "
            f"other processes {other_cores:.2f} (of {os.cpu_count()})"
        )
        if everything:
            per_request = report["server_cpu_ms_per_request"]
            log(
                f"server CPU per request: {per_request:.2f} ms (whatever else runs): about "
                f"{(os.cpu_count() or 1) * 1000 / per_request:.0f} req/s if gunicorn had all "
                f"{os.cpu_count()} cores to itself"
            )
        if other_cores >= bench.OTHER_LOAD_CORES:
            log(
                "load: warning: other processes used the CPUs during the run; req/s and "
                "latencies are lower bounds of what the server can do alone"
            )
        for example in results.error_examples:
            log(f"  {example}")
        if opts.output:
            opts.output.parent.mkdir(parents=True, exist_ok=True)
            opts.output.write_text(json.dumps(report, indent=2) + "\n")
            log(f"load: results written to {opts.output}")
        if errors or not everything:
            log(f"load: FAILED ({errors} errors, {len(everything)} successful requests)")
            log(bench.tail(tmp / "gunicorn.log"))
            return 1
        return 0
    finally:
        if server is not None:
            bench.stop_gunicorn(server)
        if opts.keep:
            log(f"load: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
