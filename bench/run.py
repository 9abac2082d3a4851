"""Benchmark: publishing time and public-page throughput on the production server.

Run as ``make bench`` (or ``.venv/bin/python -m bench [--smoke]``). Everything
happens in a throw-away directory with production-like settings (DEBUG off):

1. migrate, collectstatic, compilemessages (only if a .po is newer than its
   .mo) and ``load_demo --force`` into a temporary SQLite database (or into
   ``BENCH_DATABASE_URL`` if set; that database gets the demo data);
2. ``manage.py bench_publish``: publish the largest demo register several times
   in a fresh process and time each publish; then ``manage.py bench_addresses
   --static-dir``: one address of each kind of that register (page, PDF, JSON,
   embed, change log, first version's page and PDF, company index), each body
   copied byte for byte into STATIC_ROOT/bench/, so WhiteNoise serves files of
   exactly the same bytes from the same server (the ceiling for "serve stored
   bytes");
3. start gunicorn (``config.wsgi``, sync workers, ``BENCH_WORKERS`` or 2) on a
   free 127.0.0.1 port and drive each address in turn with locust
   (``bench/locustfile.py``): C users for D seconds after a warm-up;
4. ``manage.py bench_profile``: the notice page in-process (WSGI handler,
   queries, middleware, database connection reuse), to explain the gap
   between page and static;
5. print a table, each kind's req/s next to its static copy's with the ratio
   and the target (0.8), and write ``bench/results/latest.json``; the exit
   status is 1 if any request failed.
6. the admin at scale: ``manage.py bench_admin`` (each admin page a member and
   a superuser use, the company home and every guided step included,
   in-process: median time and queries) on the demo, then
   ``manage.py bench_scale`` grows the database to ``--scale`` companies and
   ``bench_admin`` runs again. These figures need PostgreSQL
   (``BENCH_DATABASE_URL``); on SQLite they are indicative only.

7. ``manage.py bench_history``: a register grown to 200 versions, its 3rd and
   200th publish timed and weighed against the 10% target (its own section).

8. ``manage.py bench_backup``: a copy of a company grown to 100 and to 1,000
   versions, its backup exported and imported in child processes: time and
   peak memory against the targets (``run_backup_bench``, printed on its own).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import cpu
from bench.edge import EdgeProxy, edge_proxy
from bench.harness import (
    OTHER_LOAD_CORES,
    ROOT,
    Gunicorn,
    Project,
    fetch,
    fetch_response,
    free_port,
    gunicorn,
    log,
    run_locust,
    stop_on_signals,
    tail,
)

RESULTS = ROOT / "bench" / "results" / "latest.json"
CLIENT_BOUND_SHARE = 0.85
# Every public address at this share of the req/s of a static file of its bytes (issue 13).
RATIO_TARGET = 0.8  # client CPU time / wall time above this: client-bound


# --- The code under test ---------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(  # noqa: S603 (git with fixed arguments)
        [shutil.which("git") or "git", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


def export_revision(ref: str, target: Path) -> str:
    """Extract the tree of ``ref`` (``git archive``) into ``target``; its commit id."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    target.mkdir()
    archive = subprocess.Popen(  # noqa: S603 (git with fixed arguments)
        [shutil.which("git") or "git", "archive", "--format=tar", commit],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
        tar.extractall(target, filter="data")
    if archive.wait(timeout=60) != 0:
        raise SystemExit(f"bench: git archive {ref} failed")
    if not (target / "bench" / "management" / "commands" / "bench_publish.py").exists():
        raise SystemExit(
            f"bench: {ref} predates the bench app (bench/management/commands); "
            "measure a later revision, or check it out and run its own bench/run.py"
        )
    return commit


def git_head() -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return git("rev-parse", "HEAD")
    return "unknown"


# --- Measuring one address ----------------------------------------------------------------------


def measure(
    server: Gunicorn | EdgeProxy,
    kind: str,
    path: str,
    expected: int,
    opts: argparse.Namespace,
    tmp: Path,
) -> dict[str, Any]:
    """Drive one address with locust; one row of the table."""
    plan = {"targets": [{"kind": kind, "path": path, "size": expected, "etag": "", "weight": 1}]}
    run = run_locust(
        server=server,
        plan=plan,
        users=opts.connections,
        warmup=opts.warmup,
        duration=opts.duration,
        tmp=tmp,
        name=kind,
    )
    if run.report is None:
        raise SystemExit(
            f"bench: locust gave no report (exit {run.exit_code})\n{tail(run.logfile)}"
        )
    total, usage = run.report["total"], run.report["cpu"]
    ok = total["requests"] - total["failures"]
    errors = total["failures"] + run.report["warmup_failures"]
    if run.exit_code and not errors:
        errors = 1  # locust failed in a way its statistics do not show: see its log
    return {
        "kind": kind,
        "path": path,
        "bytes": expected,
        "requests": total["requests"],
        "ok": ok,
        "errors": errors,
        "failures": run.report["failures"],
        "locust_exit_code": run.exit_code,
        "rps": ok / usage["wall_s"],
        "mb_per_s": total["mb_per_s"],
        "p50_ms": total["p50_ms"],
        "p95_ms": total["p95_ms"],
        "p99_ms": total["p99_ms"],
        "closed_by_server": run.report["closed_by_server"],
        "responses": run.report["responses"],
        "server_cpu_ms_per_req": usage["server_cpu_s"] * 1000 / ok if ok else None,
        "server_cores": usage["server_cores"],
        "client_cores": usage["client_cores"],
        "other_cores": usage["other_cores"],
    }


def measure_addresses(
    project: Project,
    urls: dict[str, tuple[str, int]],
    opts: argparse.Namespace,
    results: dict[str, Any],
    port: int,
) -> tuple[dict[str, dict[str, Any]], int]:
    """Step 3: gunicorn, a check of each address, then locust on each; rows and port."""
    rows: dict[str, dict[str, Any]] = {}
    with gunicorn(project, opts.workers, urls["static-page"][0], port) as server:
        results["server"] = {"command": server.command, "port": server.port}
        log(f"bench: gunicorn ({opts.workers} sync workers) answering on port {server.port}")
        for kind, (path, expected) in urls.items():
            status, body, _etag = fetch(server.port, path)
            if status != 200 or len(body) != expected:
                raise SystemExit(f"bench: {kind} {path}: {status}, {len(body)} != {expected} B")
        results["background_cores_before_load"] = idle = cpu.background_cores()
        if idle >= OTHER_LOAD_CORES:
            log(
                f"bench: warning: other processes keep {idle:.2f} of {os.cpu_count()} "
                "cores busy; the figures will be disturbed"
            )
        for kind, (path, expected) in urls.items():
            log(
                f"bench: {kind:<12} {path} - locust, {opts.connections} users, "
                f"{opts.warmup:g} s warm-up + {opts.duration:g} s"
            )
            rows[kind] = measure(server, kind, path, expected, opts, project.tmp)
        if not opts.no_edge:
            rows.update(measure_edge(project, server, urls, opts, results))
        return rows, server.port


def measure_edge(
    project: Project,
    server: Gunicorn,
    urls: dict[str, tuple[str, int]],
    opts: argparse.Namespace,
    results: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """The shipped nginx in front of the same gunicorn: the page from its cache, the static file.

    The page is requested once before locust starts, so the measured window shows what
    visitors get between two publishes: cache hits. How stale a page can be is read from
    the Cache-Control the page is served with (max-age + stale-while-revalidate).
    """
    rows: dict[str, dict[str, Any]] = {}
    with edge_proxy(
        project.tmp / "edge",
        upstream_port=server.port,
        static_root=project.static_root,
        workers=os.cpu_count() or 1,
        access_log=False,
    ) as proxy:
        log(f"bench: the edge proxy (shipped nginx configuration) on port {proxy.port}")
        for kind in ("static-page", "page"):
            path, expected = urls[kind]
            status, body, headers = fetch_response(proxy.port, path)
            if status != 200 or len(body) != expected:
                raise SystemExit(f"bench: edge {kind} {path}: {status}, {len(body)} B")
            if kind == "page":
                results["edge_stale_s"] = stale_seconds(headers.get("Cache-Control", ""))
            log(f"bench: edge-{kind:<7} {path} - locust through nginx")
            rows[f"edge-{kind}"] = measure(proxy, f"edge-{kind}", path, expected, opts, project.tmp)
    return rows


def stale_seconds(cache_control: str) -> int:
    """How long a cache may serve a response after it changed: max-age + s-w-r."""
    directives = dict(
        (part.strip().split("=", 1) + [""])[:2] for part in cache_control.split(",") if part.strip()
    )
    return int(directives.get("max-age") or 0) + int(directives.get("stale-while-revalidate") or 0)


# --- Report ---------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(rows: list[dict[str, Any]]) -> str:
    header = (
        f"{'kind':<16} {'bytes':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6} {'srv CPU ms/req':>14} {'cores: server':>13} {'client':>6} {'other':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        cpu_ms = r["server_cpu_ms_per_req"]
        lines.append(
            f"{r['kind']:<16} {r['bytes']:>7} {r['rps']:>7.0f} {ms(r['p50_ms']):>7} "
            f"{ms(r['p95_ms']):>7} {ms(r['p99_ms']):>7} {r['errors']:>6} "
            f"{(f'{cpu_ms:.2f}' if cpu_ms is not None else '-'):>14} {r['server_cores']:>13.2f} "
            f"{r['client_cores']:>6.2f} {r['other_cores']:>6.2f}"
        )
    return "\n".join(lines)


def ratios(rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each address kind against the static file of its same bytes, from the same run."""
    out = []
    for kind, row in rows.items():
        static = rows.get(f"static-{kind}")
        if kind.startswith("static-") or static is None:
            continue
        out.append(
            {
                "kind": kind,
                "bytes": row["bytes"],
                "rps": row["rps"],
                "static_rps": static["rps"],
                "ratio": row["rps"] / static["rps"] if static["rps"] else 0.0,
                "target": RATIO_TARGET,
                "cpu_ms": row["server_cpu_ms_per_req"],
                "static_cpu_ms": static["server_cpu_ms_per_req"],
            }
        )
    return out


def ratio_table(rows: list[dict[str, Any]]) -> str:
    """req/s of each kind next to its static copy's, the ratio and the target."""
    header = (
        f"{'kind':<12} {'bytes':>7} {'req/s':>7} {'static':>7} {'ratio':>6} {'target':>6} "
        f"{'srv CPU ms/req':>14} {'static':>7}"
    )
    lines = ["Each address vs a static file of the same bytes, same server, same run:"]
    lines += [header, "-" * len(header)]
    for r in rows:
        verdict = "" if r["ratio"] >= r["target"] else "  below target"
        lines.append(
            f"{r['kind']:<12} {r['bytes']:>7} {r['rps']:>7.0f} {r['static_rps']:>7.0f} "
            f"{r['ratio']:>6.2f} {r['target']:>6.2f} {ms2(r['cpu_ms']):>14} "
            f"{ms2(r['static_cpu_ms']):>7}{verdict}"
        )
    return "\n".join(lines)


def ms2(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def load_findings(rows: dict[str, dict[str, Any]]) -> list[str]:
    """What the table says: page vs static, the CPU ceiling, who was the bottleneck."""
    notes = []
    notes.extend(ratio_findings(rows))
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
    saturated = [
        r["kind"]
        for r in rows.values()
        if r["server_cores"] + r["client_cores"] + r["other_cores"] >= 0.85 * cores
    ]
    if saturated:
        notes.append(
            f"the machine was CPU-saturated (>= 85 % of {cores} cores busy) during "
            f"{len(saturated)} of {len(rows)} addresses ({', '.join(saturated)}): req/s is "
            "what the server got of the CPUs left"
        )
    disturbed = [r for r in rows.values() if r["other_cores"] >= OTHER_LOAD_CORES]
    if disturbed:
        shares = [r["other_cores"] for r in disturbed]
        notes.append(
            f"other processes on this machine used {min(shares):.2f}-{max(shares):.2f} cores "
            f"during {len(disturbed)} of {len(rows)} addresses: req/s are disturbed; compare "
            "same-run ratios and 'srv CPU ms/req'"
        )
    for r in rows.values():
        if r["responses"] and r["closed_by_server"] >= 0.9 * r["responses"]:
            notes.append(
                f"{r['kind']}: {r['closed_by_server']} of {r['responses']} responses closed "
                "the connection: gunicorn's sync worker does not keep connections alive"
            )
            break
    return notes


EDGE_TARGET = 0.8  # issue 13: a notice page through the edge >= 0.8 x a static file through it


def ratio_findings(rows: dict[str, dict[str, Any]]) -> list[str]:
    """The edge proxy's page/static ratio against its target."""
    page, static = rows.get("edge-page"), rows.get("edge-static-page")
    if not (page and static and static["rps"]):
        return []
    ratio = page["rps"] / static["rps"]
    verdict = "meets" if ratio >= EDGE_TARGET else "MISSES"
    return [
        f"edge: page through nginx / static file through nginx: {ratio:.2f} "
        f"({page['rps']:.0f} vs {static['rps']:.0f} req/s), target >= {EDGE_TARGET}: {verdict}"
    ]


def profile_findings(profile: dict[str, Any]) -> list[str]:
    """Where the page's time goes, in-process."""
    notes = [
        "in-process median per request (WSGI handler, no network): "
        + ", ".join(f"{k} {v:.3f} ms" for k, v in profile["full_ms"].items())
    ]
    parts, chain = profile["parts_ms"], profile["page_middleware_chain_ms"]
    notes.append(
        f"page: {len(profile['page_queries'])} SQL query when not kept; its lookup "
        # A revision before the hand-written lookup (--ref) timed its ORM query.
        f"(notices.views._find) {parts.get('lookup', parts.get('orm_query', 0)):.3f} ms, "
        f"the SQL bare {parts['raw_sql']:.3f} ms; "
        f"view alone {parts['view_only']:.3f} ms; handler without middleware "
        f"{chain['(none)']:.3f} ms; full {parts['page']:.3f} ms"
        # A revision before the kept responses (--ref) has no such figure.
        + (
            f", {parts['page_not_kept']:.3f} ms when the process has not kept it "
            "(notices.public_cache: the first request after a change)"
            if "page_not_kept" in parts
            else ""
        )
    )
    steps, previous = [], chain["(none)"]
    for name, value in chain.items():
        if name != "(none)":
            steps.append(f"{name.rsplit('.', 1)[-1]} {value - previous:+.3f}")
            previous = value
    notes.append("middleware added one by one (page, ms): " + ", ".join(steps))
    notes.append(
        f"database connection: CONN_MAX_AGE={profile['conn_max_age']}, reused between "
        f"requests: {profile['connection_reused']}, health checks "
        f"{profile['conn_health_checks']}; page with a new connection per request "
        f"(CONN_MAX_AGE=0): {parts['page_conn_max_age_0']:.3f} ms"
    )
    return notes


def print_report(
    publish: dict[str, Any],
    rows: dict[str, dict[str, Any]],
    notes: list[str],
    profile: dict[str, Any] | None,
    opts: argparse.Namespace,
) -> None:
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
        f"Publish ({len(p['languages'])} languages, page + PDF), {len(p['runs_s'])} runs as "
        f"{p['publisher']}: min {p['min_s']:.2f} s, median {p['median_s']:.2f} s, "
        f"max {p['max_s']:.2f} s (target <= {p.get('target_s', 1.5):g} s)  "
        f"[{', '.join(f'{t:.2f}' for t in p['runs_s'])}]"
    )
    log("")
    log(
        f"gunicorn {opts.workers} sync workers, locust {opts.connections} users, "
        f"{opts.duration:g} s per URL ({os.cpu_count()} CPUs shared by server and client)"
    )
    log(table(list(rows.values())))
    log("")
    for note in notes:
        log(f"- {note}")
    for row in rows.values():
        for failure in row["failures"][:5]:
            log(f"  {row['kind']}: {failure['occurrences']} x {failure['error']}")
    if profile:
        log("\nPage profile (tottime, top entries):")
        log(profile["profile_tottime"].rstrip())


# --- The admin at scale (bench_scale, bench_admin) ------------------------------------------


def admin_rows(demo: dict[str, Any], scaled: dict[str, Any]) -> str:
    """Each admin page at the demo's size and at scale, against the 300 ms target."""
    target = scaled["target_ms"]
    header = (
        f"{'who':<10} {'page':<28} {'demo ms':>8} {'queries':>7} {'scale ms':>8} "
        f"{'CPU ms':>7} {'queries':>7} {'target':>7} {'':>5} seq scans at scale"
    )
    lines = [header, "-" * len(header)]
    small = {(r["who"], r["page"]): r for r in demo["pages"]}
    for r in scaled["pages"]:
        d = small.get((r["who"], r["page"]), {})
        flat = d.get("queries") == r["queries"]
        verdict = "ok" if r["ok"] and flat else "SLOW" if not r["ok"] else "GROWS"
        lines.append(
            f"{r['who']:<10} {r['page']:<28} {d.get('median_ms', 0):>8.1f} "
            f"{d.get('queries', '-'):>7} {r['median_ms']:>8.1f} {r['median_cpu_ms']:>7.1f} "
            f"{r['queries']:>7} {f'<= {target:.0f}':>7} {verdict:>5} "
            f"{', '.join(r.get('seq_scans', []))}"
        )
    return "\n".join(lines)


def admin_at_scale(project: Project, opts: argparse.Namespace, results: dict[str, Any]) -> None:
    """The admin pages on the demo, then on ``--scale`` companies grown by bench_scale."""
    args = [f"--requests={opts.admin_requests}"]
    log(f"bench: admin pages on the demo ({opts.admin_requests} requests each) ...")
    demo = project.manage_json("bench_admin", "--force", *args)
    log(f"bench: growing the database to {opts.scale} companies (bench_scale) ...")
    seeding = project.manage_json("bench_scale", "--force", f"--companies={opts.scale}")
    log(f"bench: admin pages at {opts.scale} companies ...")
    scaled = project.manage_json("bench_admin", "--force", *args)
    results["admin_scale"] = {"seeding": seeding, "demo": demo, "scale": scaled}
    after = seeding["after"]
    log("")
    log(
        f"Admin at scale: {after['companies']} companies, {after['registers']} registers, "
        f"{after['versions']} versions, grown in {seeding['total_s']:.1f} s "
        f"(ANALYZE {seeding['analyze_s']:.1f} s; {seeding['pdf']}); median server time "
        f"in-process, DEBUG off, as {scaled['member']['username']} and a superuser; "
        f"load average {scaled['load_average'][0]:.1f} on {scaled['cpus']} CPUs"
    )
    if seeding["database"] != "postgresql":
        log(
            "NOTE: the scale figures and EXPLAINs need PostgreSQL "
            "(BENCH_DATABASE_URL=postgres://...); this run used "
            f"{seeding['database']}, so they are indicative only"
        )
    log(admin_rows(demo, scaled))


# --- History stored once (issue 14) ---------------------------------------------------------


def measure_history(project: Project, opts: argparse.Namespace) -> dict[str, Any]:
    """``bench_history``: a register grown to 200 versions, its 3rd and 200th publish."""
    log("bench: growing a register to 200 versions (copies between real publishes) ...")
    runs = 1 if opts.smoke else 3
    return project.manage_json("bench_history", "--force", f"--runs={runs}")


def print_history(h: dict[str, Any]) -> None:
    """Publish time and bytes per version at the 3rd and the 200th version, with the target."""
    first, last = h["versions"]
    cpu, wall = h["median_cpu_s"], h["median_wall_s"]
    target = f"target: within {h['target']:.0%} of version {first}"
    log(f"\nHistory of {h['register']} ({', '.join(h['languages'])}), {target}:")
    log(
        f"  publish CPU  v{first} {cpu['first']:.2f} s, v{last} {cpu['last']:.2f} s "
        f"({h['cpu_growth']:+.1%}); wall {wall['first']:.2f} s -> {wall['last']:.2f} s "
        f"({h['wall_growth']:+.1%}); queries {h['queries']['first']} -> {h['queries']['last']}"
    )
    for kind in ("text", "media", "total"):
        log(
            f"  bytes/version {kind:5} v{first} {h['bytes_first'][kind]:>9,}, "
            f"v{last} {h['bytes_last'][kind]:>9,} ({h['bytes_growth'][kind]:+.2%})"
        )
    renders = h["changelog_render_s"]
    steps = ", ".join(f"{s * 1000:.0f} ms at {n}" for n, s in h["changelog_store_s"].items())
    log(
        f"  change log stored once: {h['changelog_bytes']:,} bytes; a publish's change-log "
        f"step takes CPU {steps} versions (its own entry rendered, the kept ones joined); "
        f"rendering it whole {renders[str(first)] * 1000:.0f} ms at {first} entries, "
        f"{renders[str(last)] * 1000:.0f} ms at {last}  -> {'ok' if h['ok'] else 'MISSED'}"
    )


# --- Backups (issue 14: memory flat in the history) ---------------------------------------


def run_backup_bench(project: Project, opts: argparse.Namespace, results: dict[str, Any]) -> None:
    """Step 6: ``bench_backup`` after everything else (its company is removed afterwards)."""
    log(f"\nbench: backups of a company grown to {opts.backup_sizes} versions ...")
    found = project.manage_json("bench_backup", "--force", f"--sizes={opts.backup_sizes}")
    results["backup"] = found
    print_backup_report(found)


def print_backup_report(found: dict[str, Any]) -> None:
    targets = found["targets"]
    log(
        f"Backups of {found['company']} (copied from {found['copied_from']}; versions are "
        f"copies sharing {found['sample_pdf']}), child processes, default limits:"
    )
    log(f"{'versions':>8} {'archive MB':>10} {'export s':>9} {'MiB':>6} {'import s':>9} {'MiB':>6}")
    for row in found["rows"]:
        archive = row["archive"]
        log(
            f"{row['versions']:>8} {archive['bytes'] / 1e6:>10.1f} "
            f"{archive['export']['s']:>9.1f} {archive['export']['max_rss_mib']:>6.0f} "
            f"{archive['import']['s']:>9.1f} {archive['import']['max_rss_mib']:>6.0f}"
        )
    flat = targets["flat_memory_ratio_max"]
    export_ratio, import_ratio = targets["export_memory_ratio"], targets["import_memory_ratio"]
    log(
        f"- target: peak memory flat in the versions (largest/smallest <= {flat}): export "
        f"{export_ratio:.2f} {'ok' if export_ratio <= flat else 'MISSED'}, import "
        f"{import_ratio:.2f} {'ok' if import_ratio <= flat else 'MISSED'}"
    )
    # Measured when the largest size reaches the target (--backup-sizes 100,1000,2000),
    # else projected from the manifest's growth per version.
    measured = found["rows"][-1]["versions"] >= targets["versions"]
    log(
        f"- target: {targets['versions']:,} versions under the default limit "
        f"({found['max_bytes'] / 2**20:.0f} MiB a member): manifest "
        f"{'' if measured else '~'}{targets['manifest_bytes_at_target'] / 1e6:.1f} MB, "
        f"largest member {targets['largest_member_bytes'] / 1e6:.2f} MB "
        f"({'measured: exported and imported above' if measured else 'projected'}): "
        f"{'met' if targets['under_default_limit'] else 'NOT MET'}"
    )


# --- Main -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="quick run: 1 s per URL, 4 users")
    parser.add_argument("--connections", "-c", type=int, default=16, help="locust users")
    parser.add_argument("--duration", "-d", type=float, default=10.0, help="seconds per URL")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)))
    parser.add_argument("--publish-runs", type=int, default=5)
    parser.add_argument("--profile-requests", type=int, default=300)
    parser.add_argument("--no-profile", action="store_true", help="skip the in-process profile")
    parser.add_argument(
        "--no-edge", action="store_true", help="skip the edge proxy (Debian's nginx) figures"
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=1000,
        help="companies for the admin-at-scale figures (3 registers x 3 versions each)",
    )
    parser.add_argument("--admin-requests", type=int, default=10, help="timed requests a page")
    parser.add_argument(
        "--backup-sizes",
        default="100,1000",
        help="versions of the backup bench's company, comma-separated (smoke: 20,60; "
        "100,1000,2000 measures the 2,000 of issue 14 instead of projecting it)",
    )
    parser.add_argument("--no-backup", action="store_true", help="skip the backup bench")
    parser.add_argument(
        "--read-path-only",
        action="store_true",
        help="only the public addresses and their profile: no admin at scale, history or backups",
    )
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
        opts.scale, opts.admin_requests = 12, 2
        opts.backup_sizes = "20,60"
    opts.connections = max(1, min(opts.connections, 256))
    opts.duration = max(0.5, min(opts.duration, 600.0))
    opts.warmup = max(0.0, min(opts.warmup, 60.0))
    opts.publish_runs = max(1, min(opts.publish_runs, 50))
    opts.profile_requests = max(10, min(opts.profile_requests, 5000))
    opts.scale = max(1, min(opts.scale, 20_000))
    opts.admin_requests = max(1, min(opts.admin_requests, 100))
    return opts


def run_bench(opts: argparse.Namespace, tmp: Path, results: dict[str, Any]) -> int:
    """Steps 1-5 in ``tmp``; the exit status."""
    code = ROOT
    if opts.ref:
        code = tmp / "src"
        results["code"] = {"ref": opts.ref, "commit": export_revision(opts.ref, code)}
    else:
        results["code"] = {"ref": "working tree", "commit": git_head()}
    project = Project(
        code=code,
        tmp=tmp,
        database_url=os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}",
    )
    log(
        f"bench: working in {tmp} ({results['database']}, {os.cpu_count()} CPUs), "
        f"code: {results['code']['ref']} ({results['code']['commit'][:12]})"
    )
    results["setup"] = project.set_up()
    log("bench: setup " + ", ".join(f"{k} {v:.1f}" for k, v in results["setup"].items()))

    log(f"bench: publishing the largest demo notice {opts.publish_runs} times ...")
    static_dir = project.static_root / "bench"
    publish = project.manage_json(
        "bench_publish", "--force", f"--runs={opts.publish_runs}", f"--static-dir={static_dir}"
    )
    results["publish"] = publish
    # The feeds' links name the host they are asked on: the copies are asked as locust will.
    port = free_port()
    copies = project.manage_json(
        "bench_addresses",
        f"--static-dir={static_dir}",
        f"--host=127.0.0.1:{port}",
        f"--register={publish['controller']}/{publish['register']}",
        f"--language={publish['language']}",
    )["copies"]
    urls = {}
    for copy in copies:
        urls[f"static-{copy['kind']}"] = (copy["static_path"], copy["bytes"])
        urls[copy["kind"]] = (copy["path"], copy["bytes"])

    rows, port = measure_addresses(project, urls, opts, results, port)
    results["load"] = list(rows.values())

    profile = None
    if not opts.no_profile:
        log("bench: profiling the page in-process ...")
        profile = project.manage_json(
            "bench_profile",
            *(f"{kind}={path}" for kind, (path, _size) in urls.items()),
            f"--requests={opts.profile_requests}",
            f"--port={port}",
        )
        results["profile"] = profile
    results["ratios"] = ratios(rows)
    notes = load_findings(rows) + (profile_findings(profile) if profile else [])
    if "edge_stale_s" in results:
        notes.append(
            f"edge: after a publish, a visitor may be served the previous version through "
            f"the proxy for at most {results['edge_stale_s']} s (the page's Cache-Control: "
            "max-age + stale-while-revalidate)"
        )
    results["findings"] = notes
    print_report(publish, rows, notes, profile, opts)
    log("")
    log(ratio_table(results["ratios"]))
    if not opts.read_path_only:
        admin_at_scale(project, opts, results)
        results["history"] = measure_history(project, opts)
        print_history(results["history"])
    if not (opts.no_backup or opts.read_path_only):
        run_backup_bench(project, opts, results)
    opts.output.parent.mkdir(parents=True, exist_ok=True)
    opts.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    log(f"\nbench: results written to {opts.output}")
    return 1 if any(r["errors"] or not r["ok"] for r in rows.values()) else 0


def main() -> int:
    opts = parse_args()
    stop_on_signals()
    tmp = Path(tempfile.mkdtemp(prefix="notice-bench-"))
    results: dict[str, Any] = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(opts).items()},
        "database": "BENCH_DATABASE_URL" if os.environ.get("BENCH_DATABASE_URL") else "sqlite",
        "client": "locust (bench/locustfile.py, FastHttpUser)",
    }
    try:
        return run_bench(opts, tmp, results)
    finally:
        if opts.keep:
            log(f"bench: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
