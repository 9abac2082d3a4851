"""The project's admin site: tenancy from controllers, "View site" from notices."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

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
