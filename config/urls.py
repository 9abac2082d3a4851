from django.contrib import admin
from django.urls import include, path

from notices import landing
from notices import views as notice_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("media/<path:path>", notice_views.logo, name="logo"),
    path("", landing.landing, name="landing"),
    path("", include("subscriptions.urls")),
    path("", include("notices.urls")),
]
