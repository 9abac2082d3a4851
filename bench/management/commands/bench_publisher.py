"""``manage.py bench_publisher --force``: a publisher's session for ``make load``'s publishes.

The load test publishes the largest notice through the admin's publish form
while visitors read, as a publisher would. This command picks that register
(``bench_publish.largest_register``), makes it publish every configured
language unless ``--own-languages`` is given (``bench_publish``'s rule: the
largest notice in every language), and logs its company's publisher in: a
session in the database, as ``django.test.Client.force_login`` makes one (no
password is typed, so the login throttle never counts it). The result names the
register and its company, the address of its publish form, the session cookie
and the languages it publishes.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse

from bench.management.base import JsonResultCommand, publisher_of
from bench.management.commands.bench_publish import largest_register, publish_every_language

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class Command(JsonResultCommand):
    help = "Log the largest register's publisher in; the publish form's address and the cookie."
    writes_data = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--own-languages",
            action="store_true",
            help="publish only the languages the register has (default: every language)",
        )

    def handle(self, *args: Any, own_languages: bool, **options: Any) -> None:
        register, _count = largest_register()
        if not own_languages:
            publish_every_language(register)
            register.refresh_from_db()
        user = publisher_of(register.controller)
        client = Client()
        client.force_login(user, backend=MODEL_BACKEND)
        self.write_result(
            {
                "controller": register.controller.slug,
                "register": register.slug,
                "register_pk": register.pk,
                "languages": register.languages,
                "publisher": user.username,
                "publish_path": reverse("admin:notices_register_publish", args=[register.pk]),
                "cookie": {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                },
            },
            options["json_path"],
        )
