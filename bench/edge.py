"""The shipped edge proxy (Debian's nginx with docker/nginx/notices.conf.template), run locally.

The bench measures public pages through it and ``tests/test_edge_proxy.py`` checks
its caching rules; both render the template the way the nginx image does (envsubst
of the ``NOTICES_*`` variables only) into a throw-away directory, with a main
configuration standing in for the image's own ``nginx.conf``.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")
TEMPLATE = Path(__file__).resolve().parent.parent / "docker" / "nginx" / "notices.conf.template"
STARTUP_TIMEOUT = 10.0
# What the access log records: the address, whether it went upstream, and the cache's answer.
ACCESS_LOG_FORMAT = "$request_uri $upstream_addr $upstream_cache_status"


def render(template: str, values: dict[str, str]) -> str:
    """envsubst as the nginx image runs it: only the named variables are replaced."""
    for name, value in values.items():
        template = template.replace(f"${{{name}}}", value)
    left = re.findall(r"\$\{NOTICES_\w+\}", template)
    if left:
        raise ValueError(f"the template has variables nobody fills in: {left}")
    return template


def main_config(directory: Path, site: Path, *, workers: int = 1, access_log: bool = True) -> str:
    """What the nginx image's own nginx.conf provides, in a throw-away directory."""
    # Workers run as nobody under a root master; the directories here are root's.
    user = "user root;" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    logging = (
        f"    log_format edge '{ACCESS_LOG_FORMAT}';\n"
        f"    access_log {directory / 'access.log'} edge;"
        if access_log
        else "    access_log off;"
    )
    return f"""
{user}
worker_processes {workers};
daemon off;
pid {directory / "nginx.pid"};
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
{temp}
{logging}
    include {site};
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class EdgeProxy:
    """A running nginx: its port, master process (for CPU accounting) and directory."""

    port: int
    process: subprocess.Popen
    directory: Path


@contextlib.contextmanager
def edge_proxy(
    directory: Path,
    *,
    upstream_port: int,
    static_root: Path,
    workers: int = 1,
    access_log: bool = True,
) -> Iterator[EdgeProxy]:
    """nginx with the shipped site configuration in front of ``upstream_port``."""
    if not NGINX.exists():
        raise FileNotFoundError(
            f"{NGINX} is missing: install Debian's nginx (apt-get install nginx); .ci/run does."
        )
    (directory / "cache").mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = directory / "notices.conf"
    site.write_text(
        render(
            TEMPLATE.read_text(),
            {
                "NOTICES_LISTEN": f"127.0.0.1:{port}",
                "NOTICES_UPSTREAM": f"127.0.0.1:{upstream_port}",
                "NOTICES_STATIC_ROOT": str(static_root),
                "NOTICES_CACHE_DIR": str(directory / "cache"),
                "NOTICES_TLS_PROXY": "0",
            },
        )
    )
    main = directory / "nginx.conf"
    main.write_text(main_config(directory, site, workers=workers, access_log=access_log))
    error_log = directory / "error.log"
    command = [str(NGINX), "-p", str(directory), "-c", str(main), "-e", str(error_log)]
    checked = subprocess.run(  # noqa: S603 (Debian's nginx on our own files)
        [*command, "-t"], capture_output=True, text=True, check=False
    )
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")
    process = subprocess.Popen(command)  # noqa: S603 (as above)
    try:
        _wait_for(port, process, error_log)
        yield EdgeProxy(port=port, process=process, directory=directory)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen, error_log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{error_log.read_text()}") from None
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not start listening") from None
            time.sleep(0.05)
