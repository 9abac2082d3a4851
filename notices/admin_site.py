"""The project's admin site: tenancy from controllers, "View site" from notices."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest
from django.urls import path

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

    def get_urls(self) -> list[Any]:
        # The record of processing activities hangs off the company's admin page.
        from . import art30_views

        record = "controllers/controller/<int:pk>/art30/"
        return [
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
