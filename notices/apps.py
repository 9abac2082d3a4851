from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Privacy notices")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 (registers the system checks)
            parts,  # noqa: F401 (gives SectionLead its choice of sections)
        )

        self._public_answers_follow_writes()

    def _public_answers_follow_writes(self) -> None:
        """Every saved or deleted row a public answer reads makes the kept answers stale.

        ``notices.public_cache``: the company (every company's answers: its row is
        rare to change and may change its slug), and its own answers for a register
        (deleting one deletes its versions), a version, a rendering, a change log.
        Versions, renderings and change logs are never deleted but with their
        register or company, or by a restore that deletes their registers first; a
        receiver of their deletion would make Django load every deleted row (pages
        and all) to send it.
        """
        from controllers.models import Controller

        from .models import NoticeRendering, NoticeVersion, Register, RegisterChangelog
        from .public_cache import follow

        follow(Controller, deletes=True)
        follow(Register, "controller", deletes=True)
        follow(NoticeVersion, "register", "controller")
        follow(NoticeRendering, "version", "register", "controller")
        follow(RegisterChangelog, "register", "controller")
