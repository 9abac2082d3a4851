"""The admin application with the project's own site (controllers.tenancy.admin)."""

from django.contrib.admin.apps import AdminConfig


class TenantAdminConfig(AdminConfig):
    """django.contrib.admin whose default site redirects "view on site" by tenant."""

    default_site = "controllers.tenancy.admin.TenantAdminSite"
