from django.urls import path

# Registers the "lang" converter (the configured languages) these addresses use too.
from notices import urls as _notice_urls  # noqa: F401

from . import views

app_name = "subscriptions"

urlpatterns = [
    path(
        "<lang:lang>/<slug:controller>/<slug:register>/subscribe/",
        views.subscribe,
        name="subscribe",
    ),
    path("subscriptions/<lang:lang>/confirm/<str:token>/", views.confirm, name="confirm"),
    path(
        "subscriptions/<lang:lang>/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="unsubscribe",
    ),
]
