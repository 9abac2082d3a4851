from django.contrib import admin
from django.urls import include, path

from controllers import onboarding_views
from notices import landing
from notices import views as notice_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The one-time link an invited user sets a password with (controllers.onboarding).
    path(
        "admin/password/<uidb64>/<token>/",
        onboarding_views.PasswordSet.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "admin/password/done/",
        onboarding_views.PasswordSetDone.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("media/<path:path>", notice_views.logo, name="logo"),
    path("", landing.landing, name="landing"),
    path("", include("subscriptions.urls")),
    path("", include("notices.urls")),
]
