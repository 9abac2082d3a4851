from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControllersConfig(AppConfig):
    name = "controllers"
    verbose_name = _("Companies")
