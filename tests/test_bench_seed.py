"""``bench_seed``: copies of the demo companies, each copied register published once more.

``make load`` and ``make bench`` seed their databases with it; CI's smoke runs found
it broken only there. A copy's company has another name, so the cookies its
original sets itself read as another company's of unknown country: the copies'
publisher acknowledges those warnings, as one would in the admin.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from notices.models import NoticeVersion, Register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("blank_pdfs")]


def test_copies_are_restored_and_published_with_their_warnings_acknowledged(
    settings, tmp_path: Path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", force=True, stdout=StringIO())
    demo = set(Register.objects.values_list("pk", flat=True))
    result = tmp_path / "seed.json"
    call_command("bench_seed", "--force", "--registers=2", "--json", str(result))

    found = json.loads(result.read_text())
    assert found["seeded_registers"] >= 2
    copies = Register.objects.exclude(pk__in=demo)
    assert copies.count() == found["seeded_registers"]
    assert found["acknowledged_warnings"] > 0  # the original company's own cookies
    acknowledged = 0
    for register in copies:
        latest = NoticeVersion.objects.filter(register=register).latest("number")
        # Published again after the restore: the latest version names the copy's company.
        assert register.controller.name in json.dumps(latest.snapshot, ensure_ascii=False)
        acknowledged += len(latest.acknowledged_warnings)
    assert acknowledged == found["acknowledged_warnings"]
