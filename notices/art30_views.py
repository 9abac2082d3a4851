"""The record of processing activities in the admin: for the company's members only.

Tenancy is decided by ``controllers.tenancy``: another company's record is a 404,
as is a language the company does not use. Nothing is stored: each download is
generated from the registers as they are.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from controllers.models import Controller
from controllers.tenancy import get_for_user_or_404

from . import art30, languages

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _controller(request: HttpRequest, pk: int) -> Controller:
    return get_for_user_or_404(Controller.objects.all(), request.user, pk=pk)


def _language(controller: Controller, lang: str) -> str:
    if lang not in art30.record_languages(controller):
        raise Http404(_("The company has no register in this language."))
    return lang


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _file_name(controller: Controller, lang: str, extension: str) -> str:
    day = timezone.localdate().isoformat()
    return f"{controller.slug}-art30-{day}-{lang}.{extension}"


def record_page(request: HttpRequest, pk: int, site: admin.AdminSite) -> HttpResponse:
    """The record's page: its downloads in each language and what it is generated from."""
    controller = _controller(request, pk)
    record = art30.build_record(controller, translation.get_language() or languages.default())
    context = {
        **site.each_context(request),
        "title": _("Record of processing activities"),
        "opts": Controller._meta,
        "original": controller,
        "record": record,
        "sources": [(source, art30.source_status(source)) for source in record.sources],
        "record_languages": [
            (code, languages.native_name(code)) for code in art30.record_languages(controller)
        ],
    }
    response = TemplateResponse(request, "notices/art30_admin.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def record_pdf(request: HttpRequest, pk: int, lang: str) -> HttpResponse:
    """The record as PDF in ``lang``."""
    controller = _controller(request, pk)
    record = art30.build_record(controller, _language(controller, lang))
    return _download(
        art30.record_pdf(record), "application/pdf", _file_name(controller, lang, "pdf")
    )


def record_xlsx(request: HttpRequest, pk: int, lang: str) -> HttpResponse:
    """The record as an XLSX spreadsheet in ``lang``."""
    controller = _controller(request, pk)
    record = art30.build_record(controller, _language(controller, lang))
    return _download(art30.record_xlsx(record), XLSX, _file_name(controller, lang, "xlsx"))
