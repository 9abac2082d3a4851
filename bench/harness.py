"""What the bench and the load test share, outside Django: a throw-away project, gunicorn, locust.

Both runners work the same way: a temporary directory with its own database
(or the one given), media and static files and production-like settings; the
project's own management commands to fill it (``load_demo``, the ``bench_*``
commands of this app), each in its own process; gunicorn on a free 127.0.0.1
port; and locust (``bench/locustfile.py``) as the client. Only 127.0.0.1 is
contacted, every wait is bounded, and gunicorn is stopped in ``finally``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 60.0
GUNICORN_TIMEOUT_S = 90  # a worker silent this long is killed (docker/entrypoint.sh's too)
COMMAND_TIMEOUT = 1800.0
# Cores used by other processes (not server, not client) above which figures are disturbed.
OTHER_LOAD_CORES = 0.2


def log(message: str) -> None:
    print(message, flush=True)


def stop_on_signals() -> None:
    """SIGTERM as SIGINT: raise, so that the ``finally`` blocks stop gunicorn and clean up."""

    def interrupt(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Project:
    """The code under test (``code``) run against a throw-away directory (``tmp``)."""

    code: Path
    tmp: Path
    database_url: str

    @property
    def logfile(self) -> Path:
        return self.tmp / "commands.log"

    @property
    def signing_key(self) -> Path:
        """The throw-away key that signs what the demo publishes (made by ``set_up``)."""
        return self.tmp / "notice-signing-key.pem"

    @property
    def static_root(self) -> Path:
        return self.tmp / "static"

    def env(self) -> dict[str, str]:
        """Production-like settings pointing at the temporary directory."""
        env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SECRET_KEY="bench-only-secret-not-for-production-" + "x" * 24,
            SECURE_SSL_REDIRECT="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
            MEDIA_ROOT=str(self.tmp / "media"),
            NOTICE_SIGNING_KEY_FILE=str(self.signing_key),
            STATIC_ROOT=str(self.static_root),
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    def manage(self, *args: str) -> float:
        """Run a management command in its own process; its wall time. Stops on failure."""
        command = [sys.executable, "manage.py", *args]
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
            command,
            cwd=self.code,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        with self.logfile.open("a") as out:
            out.write(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}\n")
        if result.returncode != 0:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
            raise SystemExit(f"command failed ({result.returncode}): manage.py {' '.join(args)}")
        return time.perf_counter() - started

    def manage_json(self, command: str, *args: str) -> dict[str, Any]:
        """Run one of the bench commands and read the JSON result it writes."""
        output = self.tmp / f"{command}.json"
        self.manage(command, *args, "--json", str(output))
        return json.loads(output.read_text())

    def messages_stale(self) -> bool:
        for po in (self.code / "locale").rglob("*.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                return True
        return False

    def set_up(self) -> dict[str, float]:
        """migrate, collectstatic, compilemessages (if needed), the demo; seconds for each."""
        if not self.signing_key.exists():
            self.manage("generate_signing_key", str(self.signing_key))
        seconds = {
            "migrate_s": self.manage("migrate", "--noinput", "-v0"),
            "collectstatic_s": self.manage("collectstatic", "--noinput", "-v0"),
        }
        if self.messages_stale():
            seconds["compilemessages_s"] = self.manage("compilemessages", "--ignore=.venv", "-v0")
        seconds["load_demo_s"] = self.manage("load_demo", "--force")
        return seconds


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def fetch(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes, str]:
    """One plain GET: status, body and ETag."""
    status, body, headers = fetch_response(port, path, timeout)
    return status, body, headers.get("ETag") or ""


def fetch_response(
    port: int, path: str, timeout: float = 30.0
) -> tuple[int, bytes, http.client.HTTPMessage]:
    """One plain GET: status, body and headers."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read(), response.headers
    finally:
        conn.close()


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    workers: int
    logfile: Path
    ready_s: float = 0.0

    @property
    def command(self) -> str:
        return f"gunicorn config.wsgi --workers {self.workers} --worker-class sync"

    def wait_until_ready(self, path: str) -> None:
        started = time.monotonic()
        while time.monotonic() - started < STARTUP_TIMEOUT:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise SystemExit(f"gunicorn exited ({code})\n{tail(self.logfile)}")
            with contextlib.suppress(OSError):
                if fetch(self.port, path, timeout=2)[0] == 200:
                    self.ready_s = time.monotonic() - started
                    return
            time.sleep(0.1)
        raise SystemExit(
            f"gunicorn did not answer in {STARTUP_TIMEOUT:.0f} s\n{tail(self.logfile)}"
        )

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Its own session: the group id is gunicorn's pid, nothing else is in it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@contextlib.contextmanager
def gunicorn(
    project: Project, workers: int, ready_path: str, port: int | None = None
) -> Iterator[Gunicorn]:
    """gunicorn (``config.wsgi``, sync workers) on ``port`` (or a free one), answering
    ``ready_path``."""
    port = port or free_port()
    logfile = project.tmp / "gunicorn.log"
    args = [
        str(BIN / "gunicorn"),
        "config.wsgi",
        f"--bind={HOST}:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--graceful-timeout=5",
        # As the Docker image: a publish may render its PDFs for up to 60 s
        # (PDF_RENDER_TIMEOUT) in the worker's children; gunicorn's default 30 s
        # would kill the worker first on a busy machine.
        f"--timeout={GUNICORN_TIMEOUT_S}",
    ]
    with logfile.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 (the project's gunicorn, fixed arguments)
            args,
            cwd=project.code,
            env=project.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Gunicorn(process, port, workers, logfile)
    try:
        server.wait_until_ready(ready_path)
        yield server
    finally:
        server.stop()


# --- locust ---------------------------------------------------------------------------------


@dataclass
class LocustRun:
    exit_code: int
    report: dict[str, Any] | None
    logfile: Path


def run_locust(
    *,
    server: Gunicorn,
    plan: dict[str, Any],
    users: int,
    warmup: float,
    duration: float,
    tmp: Path,
    name: str,
    seed: int = 2026,
    started_file: Path | None = None,
) -> LocustRun:
    """Drive ``server`` with locust, headless, over ``plan``; its exit code and report.

    With ``started_file``, locust writes the epoch time it starts measuring at there.
    """
    plan_file, report_file = tmp / f"{name}-plan.json", tmp / f"{name}-report.json"
    plan_file.write_text(json.dumps(plan))
    report_file.unlink(missing_ok=True)
    logfile = tmp / f"{name}-locust.log"
    # --run-time is a safety net: the locustfile stops the run after warm-up + measurement.
    args = [
        sys.executable,
        "-m",
        "locust",
        f"--locustfile={LOCUSTFILE}",
        "--headless",
        "--only-summary",
        f"--users={users}",
        f"--spawn-rate={users}",
        f"--host=http://{HOST}:{server.port}",
        f"--run-time={math.ceil(warmup + duration) + 30}s",
        f"--targets={plan_file}",
        f"--warmup={warmup}",
        f"--measure={duration}",
        f"--server-pid={server.process.pid}",
        f"--report-json={report_file}",
        f"--seed={seed}",
    ]
    if started_file is not None:
        started_file.unlink(missing_ok=True)
        args.append(f"--started-file={started_file}")
    with logfile.open("w") as out:
        result = subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
            args,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=warmup + duration + 120,
            check=False,
        )
    report = json.loads(report_file.read_text()) if report_file.exists() else None
    return LocustRun(result.returncode, report, logfile)
