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
