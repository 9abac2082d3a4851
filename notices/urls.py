import re

from django.urls import path, register_converter

from . import languages, views


class LanguageConverter:
    """A configured language code (settings.LANGUAGES) as the first part of the address."""

    regex = "|".join(re.escape(code) for code in languages.codes())

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LanguageConverter, "lang")

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
]
