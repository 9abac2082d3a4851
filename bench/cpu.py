"""CPU accounting with psutil: who used the CPUs during a measured window.

The server's CPU time per request does not depend on how fast the load client
is, so it is the fairest comparison on a small machine where the server, the
client and other people's work share the same cores. ``other`` is everything
the machine did besides server and client: well above zero means the figures
are disturbed.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Sample:
    """CPU seconds used so far, at one moment."""

    at: float  # time.perf_counter()
    server: float  # the server's processes (gunicorn's master and workers)
    client: float  # the load client's processes
    busy: float  # all CPUs together, not idle


@dataclass(frozen=True)
class Usage:
    """CPU used between two samples: seconds, and cores (seconds per second of wall time)."""

    wall_s: float
    server_s: float
    server_cores: float
    client_cores: float
    other_cores: float

    def as_dict(self) -> dict[str, float]:
        return {
            "wall_s": self.wall_s,
            "server_cpu_s": self.server_s,
            "server_cores": self.server_cores,
            "client_cores": self.client_cores,
            "other_cores": self.other_cores,
        }


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants (0 if it is gone)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs have spent not idle (nor waiting for I/O) since boot."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    # Linux counts guest time inside user time as well: do not count it twice.
    guest = getattr(times, "guest", 0.0) + getattr(times, "guest_nice", 0.0)
    return sum(times) - idle - guest


def sample(server_pid: int, client_pid: int) -> Sample:
    return Sample(
        at=time.perf_counter(),
        server=tree_cpu_seconds(server_pid),
        client=tree_cpu_seconds(client_pid),
        busy=machine_busy_seconds(),
    )


def usage(before: Sample, after: Sample) -> Usage:
    wall = max(after.at - before.at, 1e-9)
    server, client = after.server - before.server, after.client - before.client
    busy = after.busy - before.busy
    return Usage(
        wall_s=wall,
        server_s=server,
        server_cores=server / wall,
        client_cores=client / wall,
        other_cores=max(0.0, (busy - server - client) / wall),
    )


def background_cores(seconds: float = 1.0) -> float:
    """Cores kept busy by other processes while we do nothing."""
    busy, started = machine_busy_seconds(), time.perf_counter()
    time.sleep(seconds)
    return (machine_busy_seconds() - busy) / (time.perf_counter() - started)
