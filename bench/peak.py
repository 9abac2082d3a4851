"""``python -m bench.peak COMMAND...``: run COMMAND; print its seconds and peak memory as JSON.

A command whose peak memory the bench measures is started through this small
process. On Linux a child's ``ru_maxrss`` starts from the resident size of the
process that forked it (``fork`` copies the high-water mark and ``exec`` keeps
it), so a child forked straight from a bench command that has grown a long
history would report the bench's own size. COMMAND's output goes to standard
error; the JSON (``s``, ``max_rss_mib``, ``exit_code``) to standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 2:
        sys.stderr.write("usage: python -m bench.peak COMMAND...\n")
        return 2
    started = time.perf_counter()
    process = subprocess.Popen(sys.argv[1:], stdout=sys.stderr)  # noqa: S603 (the bench's own)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux.
    result = {"s": round(seconds, 2), "max_rss_mib": round(usage.ru_maxrss / 1024, 1)}
    sys.stdout.write(json.dumps(result | {"exit_code": code}) + "\n")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
