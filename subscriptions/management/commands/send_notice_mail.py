"""Send subscribers the news of newly published versions: run by a scheduler or as a worker.

manage.py send_notice_mail            # once: queue new versions, send what is due
manage.py send_notice_mail --loop 60  # a worker: the same every 60 seconds
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from subscriptions import queue, throttle


class Command(BaseCommand):
    help = "Queue and send change emails to the subscribers of newly published notice versions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            help="keep running, sending every SECONDS (a worker); without it, run once",
        )
        parser.add_argument("--limit", type=int, default=500, help="messages per round")

    def handle(self, *args: Any, loop: float | None, limit: int, **options: Any) -> None:
        while True:
            queued = queue.enqueue()
            report = queue.send_due(limit=limit)
            throttle.forget_old()
            self.stdout.write(
                f"queued {queued}, sent {report.sent}, failed {report.failed} "
                f"(will retry), gave up {report.gave_up}"
            )
            if not loop:
                return
            time.sleep(loop)
