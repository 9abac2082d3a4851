"""Languages are data: a fourth language needs settings and texts, not code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_fourth_language_needs_only_settings_and_texts():
    """Publish a register in German with the project's code unchanged.

    Runs tests/extra_language/fourth_language.py in a child pytest under settings
    that add one language (tables built from the models, in-memory SQLite).
    """
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "tests.extra_language.settings"
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/extra_language/fourth_language.py",
            "--ds=tests.extra_language.settings",
            "--nomigrations",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
