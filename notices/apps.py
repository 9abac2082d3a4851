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

        ``notices.public_cache``: the company, the register (deleting one deletes its
        versions), a version, a rendering, a change log. Versions, renderings and
        change logs are never deleted but with their register or company, or by a
        restore that deletes their registers first; a receiver of their deletion
        would make Django load every deleted row (pages and all) to send it.
        """
        from django.db.models.signals import post_delete, post_save

        from controllers.models import Controller

        from .models import NoticeRendering, NoticeVersion, Register, RegisterChangelog
        from .public_cache import changed_by_save

        for model in (Controller, Register, NoticeVersion, NoticeRendering, RegisterChangelog):
            post_save.connect(changed_by_save, sender=model, dispatch_uid=f"public-{model}")
        for model in (Controller, Register):
            post_delete.connect(changed_by_save, sender=model, dispatch_uid=f"public-del-{model}")
