"""Every message of ours has a Finnish translation that is not fuzzy.

The test extracts the messages afresh from the code and templates (makemessages,
in a copy of the project so the tree is left alone) and merges them with
locale/fi, so a string marked for translation but never translated fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["config", "controllers", "notices", "templates", "locale", "manage.py"]


def po_entries(text: str) -> list[dict[str, str | bool]]:
    """Parse a .po file into entries with msgid, msgstr and fuzzy flag (plural forms joined)."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        current = None
        fields: dict[str, str] = {}
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if "msgid" in fields:
            msgstrs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append(
                {
                    "msgid": fields["msgid"],
                    "translated": bool(msgstrs) and all(msgstrs),
                    "fuzzy": fuzzy,
                }
            )
    return entries


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list[dict[str, str | bool]]:
    copy = tmp_path_factory.mktemp("project")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("*.mo"))
        elif source.exists():
            shutil.copy(source, copy / name)
    (copy / "locale" / "fi" / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fi", "--no-obsolete", "-v0"],
        cwd=copy,
        check=True,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin:/usr/local/bin", "PYTHONPATH": str(ROOT)},
    )
    return po_entries((copy / "locale" / "fi" / "LC_MESSAGES" / "django.po").read_text())


def test_messages_were_extracted(extracted):
    ids = {entry["msgid"] for entry in extracted}
    assert "business ID" in ids
    assert "The controller already has a register with this address name." in ids


def test_every_message_has_a_finnish_translation(extracted):
    missing = [e["msgid"] for e in extracted if e["msgid"] and not e["translated"]]
    assert missing == [], f"{len(missing)} messages lack a Finnish translation: {missing[:20]}"


def test_no_translation_is_fuzzy(extracted):
    fuzzy = [e["msgid"] for e in extracted if e["msgid"] and e["fuzzy"]]
    assert fuzzy == [], f"fuzzy translations: {fuzzy[:20]}"


def test_po_parser_sees_missing_and_fuzzy_entries():
    sample = (
        'msgid ""\nmsgstr ""\n"Language: fi\\n"\n\n'
        'msgid "done"\nmsgstr "valmis"\n\n'
        'msgid "todo"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "guess"\nmsgstr "arvaus"\n'
    )
    entries = {e["msgid"]: e for e in po_entries(sample)}
    assert entries["done"]["translated"] and not entries["done"]["fuzzy"]
    assert not entries["todo"]["translated"]
    assert entries["guess"]["fuzzy"]
