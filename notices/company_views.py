"""Everyday actions on a register from the company home: duplicating it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from controllers.tenancy import get_for_user_or_404

from . import services
from .models import Register


def duplicate(request: HttpRequest, pk: int, *, site: admin.AdminSite) -> HttpResponse:
    """Ask, then make a new draft copy of the register with all its parts.

    GET is a confirmation page whose form is the only one there; POST copies and
    opens the copy's page.
    """
    register = get_for_user_or_404(
        Register.objects.select_related("controller"), request.user, pk=pk
    )
    if request.method == "POST":
        copy = services.register_duplicate(register=register, user=request.user)
        messages.success(
            request,
            _("“%(register)s” is a copy: rename it and change its address name.")
            % {"register": copy},
        )
        return redirect(reverse("admin:notices_register_change", args=[copy.pk]))
    context = {
        **site.each_context(request),
        "title": _("Duplicate “%(register)s”?") % {"register": register},
        "original": register,
        "opts": Register._meta,
    }
    return TemplateResponse(request, "admin/notices/register/duplicate.html", context)
