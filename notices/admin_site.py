"""The project's admin site: tenancy from controllers, "View site" from notices."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from controllers.models import Controller
from controllers.tenancy import get_for_user_or_404
from controllers.tenancy.admin import TenantAdminSite

from .landing import public_index_url


class NoticesAdminSite(TenantAdminSite):
    """Installed as the default site by ``config.apps.TenantAdminConfig``."""

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        # "View site" leads a member to their company's public notices, not to
        # the landing page that only points back here.
        context = super().each_context(request)
        context["site_url"] = public_index_url(request.user) or context["site_url"]
        return context

    @method_decorator(never_cache)
    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """A member's front page is their company home; a superuser keeps Django's index."""
        if request.user.is_superuser:
            return super().index(request, extra_context)
        return self._company_home(request, None, _("Your registers"))

    def company_home(self, request: HttpRequest, pk: int) -> HttpResponse:
        """One company's home: a superuser's way in, a member's when in several companies."""
        controller = get_for_user_or_404(Controller.objects.only("name"), request.user, pk=pk)
        return self._company_home(request, [controller.pk], str(controller))

    def _company_home(self, request: HttpRequest, ids: list[int] | None, title: str) -> Any:
        from .home import company_homes

        context = {
            **self.each_context(request),
            "title": title,
            "homes": company_homes(request, ids),
            "app_list": self.get_app_list(request),
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/company_home.html", context)

    def get_urls(self) -> list[Any]:
        # The record of processing activities hangs off the company's admin page.
        from . import art30_views

        record = "controllers/controller/<int:pk>/art30/"
        from controllers import onboarding_views

        from . import company_views

        return [
            path(
                "controllers/controller/onboard/",
                self.admin_view(partial(onboarding_views.onboard, site=self)),
                name="controllers_controller_onboard",
            ),
            path(
                "controllers/controller/<int:pk>/members/",
                self.admin_view(partial(onboarding_views.members, site=self)),
                name="controllers_controller_members",
            ),
            path(
                "controllers/controller/<int:pk>/members/<int:member>/role/",
                self.admin_view(onboarding_views.member_role),
                name="controllers_controller_member_role",
            ),
            path(
                "controllers/controller/<int:pk>/members/<int:member>/remove/",
                self.admin_view(partial(onboarding_views.member_remove_view, site=self)),
                name="controllers_controller_member_remove",
            ),
            path(
                "notices/register/<int:pk>/duplicate/",
                self.admin_view(partial(company_views.duplicate, site=self)),
                name="notices_register_duplicate",
            ),
            path(
                "controllers/controller/<int:pk>/home/",
                self.admin_view(self.company_home),
                name="controllers_controller_home",
            ),
            path(
                record,
                self.admin_view(partial(art30_views.record_page, site=self)),
                name="controllers_controller_art30",
            ),
            path(
                f"{record}<str:lang>/pdf/",
                self.admin_view(art30_views.record_pdf),
                name="controllers_controller_art30_pdf",
            ),
            path(
                f"{record}<str:lang>/xlsx/",
                self.admin_view(art30_views.record_xlsx),
                name="controllers_controller_art30_xlsx",
            ),
            *super().get_urls(),
        ]
