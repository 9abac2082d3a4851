from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    """Visitors who asked to be told by email when a notice changes."""

    name = "subscriptions"
    verbose_name = _("Change subscriptions")
    default_auto_field = "django.db.models.BigAutoField"
