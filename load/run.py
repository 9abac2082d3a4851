"""Load test: many visitors on the production server, over many notices, for a bounded time.

Run as ``make load`` (or ``.venv/bin/python -m load [--smoke]``). In a throw-away
directory, with production-like settings (DEBUG off, gunicorn):

1. migrate, collectstatic, compilemessages (if a .po is newer than its .mo) and
   ``load_demo --force`` (the demo companies, every notice published twice);
2. ``manage.py bench_seed``: copies of the demo companies restored from their
   backups (``export_controller``, ``import_controller``) until there are at
   least ``--registers`` more published registers, each published once more;
3. ``manage.py bench_addresses`` lists every public address; gunicorn starts on
   a free 127.0.0.1 port and each address is fetched once: it must answer 200,
   and its size and ETag are noted;
4. locust (``bench/locustfile.py``, headless) runs ``--visitors`` concurrent
   visitors reading random addresses for ``--duration`` seconds after a warm-up:
   notice pages, PDFs, notice.json, change logs, embeds, earlier versions and
   company indexes, in every published language, one in ten as a conditional
   request (If-None-Match, answered 304) as a browser or CDN revalidating its copy;
5. meanwhile (unless ``--publishes 0``), the largest notice is published
   ``--publishes`` times through the admin's publish form on the same gunicorn,
   spread over the measured window (``load/publish.py``; its company's
   addresses are not in the visitors' plan): readers' throughput during the
   publishes against the rest of the window, target at least 0.9;
6. report requests, errors, requests per second and locust's p50/p95/p99
   latency, in all and by kind of address, and the CPU used by gunicorn, by
   locust and by other processes; exit 1 on any error or failed publish.

An error is a status other than the one expected (200, or 304 for a conditional
request), a body of another size than the address answered before, a timeout,
a connection failure (all counted by locust, which then exits non-zero), or
gunicorn dying. Only 127.0.0.1 is contacted; every wait is bounded; gunicorn is
stopped and the directory removed in ``finally``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench import cpu
from bench.harness import (
    OTHER_LOAD_CORES,
    ROOT,
    Gunicorn,
    LocustRun,
    Project,
    fetch,
    gunicorn,
    log,
    run_locust,
    stop_on_signals,
    tail,
)
from load.publish import AdminPublisher, PublishDuringLoad, throughput

CONDITIONAL_SHARE = 0.1
PUBLISH_JOIN_TIMEOUT_S = 180.0
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
    "feed": 2,
    "company-feed": 1,
    "compare": 2,
}


def plan(server: Gunicorn, addresses: dict[str, Any]) -> dict[str, Any]:
    """Fetch every address once (each must answer 200); the locustfile's plan."""
    targets = []
    for address in addresses["addresses"]:
        status, body, etag = fetch(server.port, address["path"])
        if status != 200:
            raise SystemExit(f"load: {address['path']} answered {status} before the load")
        targets.append(address | {"size": len(body), "etag": etag})
    per_kind = {kind: sum(1 for t in targets if t["kind"] == kind) for kind in MIX}
    for target in targets:
        target["weight"] = MIX[target["kind"]] / per_kind[target["kind"]]
    return {
        "targets": targets,
        "conditional_share": CONDITIONAL_SHARE,
        "languages": addresses["languages"],
    }


def table(rows: dict[str, dict[str, Any]]) -> str:
    header = (
        f"{'kind':<18} {'requests':>8} {'failures':>8} {'req/s':>8} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8}"
    )
    lines = [header, "-" * len(header)]
    for kind, row in rows.items():
        p50, p95, p99 = (
            "-" if row[k] is None else f"{row[k]:.1f}" for k in ("p50_ms", "p95_ms", "p99_ms")
        )
        lines.append(
            f"{kind:<18} {row['requests']:>8} {row['failures']:>8} {row['rps']:>8.1f} "
            f"{p50:>8} {p95:>8} {p99:>8}"
        )
    return "\n".join(lines)


def report_lines(run: LocustRun, opts: argparse.Namespace, context: dict[str, Any]) -> list[str]:
    """The summary printed after the run."""
    report = run.report or {}
    total, usage = report["total"], report["cpu"]
    ok = total["requests"] - total["failures"]
    cores = os.cpu_count() or 1
    lines = [
        "",
        f"{total['requests']} requests in {usage['wall_s']:.1f} s over {context['addresses']} "
        f"addresses ({context['registers']} registers of {context['controllers']} companies, "
        f"{', '.join(context['languages'])}), {opts.visitors} locust users, gunicorn "
        f"{opts.workers} sync workers, {context['database']}",
        table({"all": total} | report["by_name"]),
        f"failures: {total['failures']} (and {report['warmup_failures']} during the warm-up); "
        f"{total['mb_per_s']:.1f} MB/s; cores used: server {usage['server_cores']:.2f}, "
        f"load client {usage['client_cores']:.2f}, other processes "
        f"{usage['other_cores']:.2f} (of {cores})",
    ]
    if ok:
        per_request = usage["server_cpu_s"] * 1000 / ok
        lines.append(
            f"server CPU per request: {per_request:.2f} ms (whatever else runs): about "
            f"{cores * 1000 / per_request:.0f} req/s if gunicorn had all {cores} cores to itself"
        )
    if usage["client_cores"] >= 0.85:
        lines.append(
            f"load: the load client used {usage['client_cores']:.0%} of a core: it is (close "
            "to) the bottleneck; req/s is a lower bound of what the server can do"
        )
    if usage["other_cores"] >= OTHER_LOAD_CORES:
        lines.append(
            "load: warning: other processes used the CPUs during the run; req/s and "
            "latencies are lower bounds of what the server can do alone"
        )
    lines += [
        f"  {failure['occurrences']} x {failure['name']}: {failure['error']}"
        for failure in report["failures"][:10]
    ]
    return lines


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m load", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="CI: 2 extra registers, 8 visitors, 1 s + 8 s, 1 publish",
    )
    parser.add_argument(
        "--registers", type=int, default=21, help="at least this many more published registers"
    )
    parser.add_argument("--visitors", "-c", type=int, default=32, help="concurrent visitors")
    parser.add_argument("--duration", "-d", type=float, default=60.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    # One more than the cores, as the Docker image's default (3 on two cores): a publish
    # holds its sync worker until its PDFs are rendered, and readers keep a worker per
    # core meanwhile (with one per core, readers lost half or more during a publish).
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("LOAD_WORKERS", 0)) or (os.cpu_count() or 1) + 1,
    )
    parser.add_argument("--seed", type=int, default=2026, help="of the visitors' random choices")
    parser.add_argument(
        "--publishes",
        type=int,
        default=3,
        help="publishes of the largest notice during the measured window (0: none)",
    )
    parser.add_argument("--output", type=Path, help="also write the results here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    opts = parser.parse_args()
    if opts.smoke:
        opts.registers, opts.visitors, opts.duration, opts.warmup = 2, 8, 4.0, 1.0
        if opts.publishes:  # one publish, with time around it for the baseline
            opts.publishes, opts.duration = 1, 8.0
    opts.registers = max(0, min(opts.registers, 200))
    opts.visitors = max(1, min(opts.visitors, 256))
    opts.duration = max(1.0, min(opts.duration, 900.0))
    opts.warmup = max(0.0, min(opts.warmup, 60.0))
    opts.workers = max(1, min(opts.workers, 16))
    opts.publishes = max(0, min(opts.publishes, 20))
    return opts


def run_load(opts: argparse.Namespace, project: Project, database: str) -> int:
    """Steps 1-5; the exit status."""
    log(f"load: working in {project.tmp} ({database}, {os.cpu_count()} CPUs)")
    setup = project.set_up()
    log(f"load: demo data loaded and published in {sum(setup.values()):.1f} s")
    seeded = project.manage_json("bench_seed", "--force", f"--registers={opts.registers}")
    log(
        f"load: restored {len(seeded['copies'])} copies of the companies "
        f"({', '.join(seeded['sources'])}) from their backups and published their "
        f"{seeded['seeded_registers']} registers again in "
        f"{sum(seeded['import_s']) + sum(seeded['publish_s']):.1f} s: "
        f"{seeded['registers']} published registers of {seeded['controllers']} companies, "
        f"{seeded['versions']} versions"
    )
    publisher = project.manage_json("bench_publisher", "--force") if opts.publishes else None
    addresses = project.manage_json("bench_addresses")
    if publisher:  # what its company's addresses answer changes with each publish
        addresses["addresses"] = [
            a for a in addresses["addresses"] if a["path"].split("/")[2] != publisher["controller"]
        ]
    first = addresses["addresses"][0]["path"]
    with gunicorn(project, opts.workers, first) as server:
        load_plan = plan(server, addresses)
        log(
            f"load: gunicorn ({opts.workers} sync workers) on port {server.port}, "
            f"{len(load_plan['targets'])} addresses; locust, {opts.visitors} users for "
            f"{opts.warmup:g} s warm-up + {opts.duration:g} s"
        )
        idle = cpu.background_cores()
        if idle >= OTHER_LOAD_CORES:
            log(
                f"load: warning: other processes keep {idle:.2f} of {os.cpu_count()} cores "
                "busy before the load starts; the figures will be disturbed"
            )
        publishing = None
        if publisher:
            publishing = PublishDuringLoad(
                AdminPublisher(server.port, publisher),
                count=opts.publishes,
                duration=opts.duration,
                started_file=project.tmp / "load-started",
            )
            publishing.start()
        run = run_locust(
            server=server,
            plan=load_plan,
            users=opts.visitors,
            warmup=opts.warmup,
            duration=opts.duration,
            tmp=project.tmp,
            name="load",
            seed=opts.seed,
            started_file=project.tmp / "load-started" if publishing else None,
        )
        if publishing:
            publishing.join(timeout=PUBLISH_JOIN_TIMEOUT_S)
        server_died = server.process.poll() is not None
    if run.report is None:
        log(f"load: FAILED: locust gave no report (exit {run.exit_code})\n{tail(run.logfile)}")
        return 1
    context = {
        "addresses": len(load_plan["targets"]),
        "registers": seeded["registers"],
        "controllers": seeded["controllers"],
        "languages": addresses["languages"],
        "database": database,
    }
    for line in report_lines(run, opts, context):
        log(line)
    extra = {"seeding": seeded, "other_cores_before": idle, "server_died": server_died}
    if publishing:
        extra["publishing"] = publish_report(publishing, publisher, run.report)
    return _finish(run, opts, project, context, extra)


def publish_report(
    publishing: PublishDuringLoad, publisher: dict[str, Any], report: dict[str, Any]
) -> dict[str, Any]:
    """Print and return readers' throughput during the publishes against around them."""
    found: dict[str, Any] = {
        "register": f"{publisher['controller']}/{publisher['register']}",
        "languages": publisher["languages"],
        "error": publishing.error
        or (None if not publishing.is_alive() else "the publishes did not finish"),
        "versions": [publishing.version_before, publishing.version_after],
    }
    if found["error"] is None:
        found |= throughput(report["timeline"], publishing.publishes)
    log(
        f"publishing during the load: {len(publishing.publishes)} of {publishing.count} publishes "
        f"of {found['register']} ({', '.join(publisher['languages'])}) through the admin, "
        f"versions {publishing.version_before} -> {publishing.version_after}, "
        f"{', '.join(f'{p.seconds:.2f}' for p in publishing.publishes)} s"
    )
    if found["error"]:
        log(f"load: publishing FAILED: {found['error']}")
        return found
    if found["ratio"] is None:
        log("load: publishing: no publish fell inside the measured window; no ratio")
        return found
    verdict = "ok" if found["ok"] else "MISSED"
    log(
        f"readers during the publishes: {found['during_rps']:.1f} req/s over "
        f"{found['during_s']:.1f} s; around them {found['baseline_rps']:.1f} req/s over "
        f"{found['baseline_s']:.1f} s: ratio {found['ratio']:.2f} (target >= "
        f"{found['target']:.2f}) {verdict}"
    )
    if found["outside_window"] > 0.05:
        log(
            f"load: note: {found['outside_window']:.1f} s of publishing fell outside the "
            "measured window (not counted)"
        )
    return found


def _finish(
    run: Any, opts: argparse.Namespace, project: Project, context: dict, extra: dict
) -> int:
    """Write the results file if asked; the exit status (1 on any failure)."""
    server_died = extra["server_died"]
    if opts.output:
        result = {
            "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(opts).items()},
            "seeding": extra["seeding"],
            "other_cores_before": extra["other_cores_before"],
            "locust_exit_code": run.exit_code,
            "server_died": server_died,
            "publishing": extra.get("publishing"),
        }
        opts.output.parent.mkdir(parents=True, exist_ok=True)
        opts.output.write_text(json.dumps(result | context | run.report, indent=2) + "\n")
        log(f"load: results written to {opts.output}")
    total = run.report["total"]
    failures = total["failures"] + run.report["warmup_failures"]
    publish_error = (extra.get("publishing") or {}).get("error")
    if publish_error:
        log(f"load: FAILED: a publish during the load failed: {publish_error}")
        return 1
    if run.exit_code or failures or server_died or total["requests"] <= total["failures"]:
        log(
            f"load: FAILED (locust exit {run.exit_code}, {failures} failures, "
            f"{total['requests'] - total['failures']} successful requests"
            + (", gunicorn died" if server_died else "")
            + ")"
        )
        log(tail(run.logfile))
        log(tail(project.tmp / "gunicorn.log"))
        return 1
    return 0


def main() -> int:
    opts = parse_args()
    stop_on_signals()
    tmp = Path(tempfile.mkdtemp(prefix="notice-load-"))
    database_url = os.environ.get("LOAD_DATABASE_URL")
    project = Project(
        code=ROOT, tmp=tmp, database_url=database_url or f"sqlite:///{tmp / 'load.sqlite3'}"
    )
    try:
        return run_load(opts, project, "LOAD_DATABASE_URL" if database_url else "sqlite")
    finally:
        if opts.keep:
            log(f"load: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
