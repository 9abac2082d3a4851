"""The admin application with the project's own site (notices.admin_site)."""

from django.contrib.admin.apps import AdminConfig


class TenantAdminConfig(AdminConfig):
    """django.contrib.admin whose default site redirects "view on site" by tenant."""

    default_site = "notices.admin_site.NoticesAdminSite"
