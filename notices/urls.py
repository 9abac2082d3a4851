import re
from datetime import date

from django.urls import path, register_converter

from . import chain_views, dpv_views, history_views, languages, views


class LanguageConverter:
    """A configured language code (settings.LANGUAGES) as the first part of the address."""

    regex = "|".join(re.escape(code) for code in languages.codes())

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LanguageConverter, "lang")


class DateConverter:
    """A calendar date written YYYY-MM-DD; 2026-02-30 matches nothing (a 404)."""

    regex = "[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError: Django tries the next pattern

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else value


register_converter(DateConverter, "isodate")

app_name = "notices"

notice = "<lang:lang>/<slug:controller>/<slug:register>/"

urlpatterns = [
    path("<lang:lang>/<slug:controller>/", views.controller_index, name="index"),
    path(notice, views.detail, name="detail"),
    path(f"{notice}pdf/", views.pdf, name="pdf"),
    path(f"{notice}notice.json", views.notice_json, name="json"),
    path(f"{notice}embed/", views.embed, name="embed"),
    path(f"{notice}versions/", views.changelog, name="versions"),
    path(f"{notice}changes.json", views.changelog, {"form": "json"}, name="changelog_json"),
    path(f"{notice}versions/<int:number>/", views.detail, name="version"),
    path(f"{notice}versions/<int:number>/pdf/", views.pdf, name="version_pdf"),
    path(f"{notice}compare/<int:old>...<int:new>/", history_views.compare, name="compare"),
    path(f"{notice}feed.atom", history_views.notice_feed, name="feed"),
    path(
        "<lang:lang>/<slug:controller>/feed.atom", history_views.company_feed, name="company_feed"
    ),
    path(f"{notice}at/<isodate:day>/", history_views.in_force, name="at"),
    path(f"{notice}at/<isodate:day>/notice.json", history_views.in_force_json, name="at_json"),
]

# The DPV (W3C Data Privacy Vocabulary) export, built from the stored snapshot.
urlpatterns += [
    path(f"{notice}dpv.jsonld", dpv_views.current, name="dpv"),
    path(f"{notice}versions/<int:number>/dpv.jsonld", dpv_views.version, name="version_dpv"),
    path(f"{notice}manifest.json", chain_views.manifest, name="manifest"),
    path(".well-known/notice-signing-keys.json", chain_views.signing_keys, name="signing_keys"),
]
