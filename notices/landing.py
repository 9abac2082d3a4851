"""The service's front door: ``/`` and where the admin's "View site" leads.

``/`` says what the service is and leads to the admin. It lists no companies:
which companies use the service is theirs to tell. A member's "View site" is
their company's public index instead (``public_index_url``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from controllers.tenancy import controller_ids_for

from . import languages
from .models import NoticeRendering, NoticeVersion


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    """What the service is, in the visitor's language, with the way to the admin."""
    return render(
        request,
        "landing.html",
        {
            "lang": translation.get_language(),
            "other_languages": [
                {"code": code, "name": languages.native_name(code)}
                for code in languages.codes()
                if code != translation.get_language()
            ],
        },
    )


def public_index_url(user: Any) -> str | None:
    """The public index of ``user``'s company in the active language, if it lists a notice.

    The index (``notices:index``) lists a register whose latest version is published
    in the language and is online; with none it is a 404, so it is not offered.
    Superusers, who belong to no company, and members of a company with nothing
    published get None.
    """
    ids = controller_ids_for(user)
    lang = translation.get_language()
    if not ids or lang not in languages.codes():
        return None
    latest = NoticeVersion.objects.filter(register=OuterRef("version__register")).order_by(
        "-number"
    )
    slug = (
        NoticeRendering.objects.filter(
            version__register__controller_id__in=ids,
            version__register__is_online=True,
            version__number=Subquery(latest.values("number")[:1]),
            language=lang,
        )
        .order_by("version__register__controller__name")
        .values_list("version__register__controller__slug", flat=True)
        .first()
    )
    if slug is None:
        return None
    return reverse("notices:index", kwargs={"lang": lang, "controller": slug})
