"""Admin pages of onboarding: a new company with its publisher, a company's people."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import PasswordResetCompleteView, PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _

from .models import Controller, Membership
from .onboarding import (
    CompanyForm,
    MemberForm,
    PersonForm,
    company_onboard,
    invitation_url,
    member_invite,
    send_invitation,
)
from .tenancy import can_publish, get_for_user_or_404


def _invited(request: HttpRequest, user: Any, controller: Controller, form: Any) -> dict:
    """The invitation of ``user``: its link, e-mailed when the form asks."""
    url = invitation_url(request, user)
    email = form.cleaned_data.get("email") or user.email
    sent = bool(url and form.cleaned_data.get("send_email") and email)
    if sent:
        send_invitation(url=url, user=user, controller=controller, email=email)
    return {"invited": user, "invitation_url": url, "sent_to": email if sent else ""}


def onboard(request: HttpRequest, *, site: admin.AdminSite) -> HttpResponse:
    """A new company and its first publisher, in one form (superusers only)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    post = request.POST if request.method == "POST" else None
    company = CompanyForm(post, prefix="company")
    person = PersonForm(post, prefix="person")
    context: dict[str, Any] = {}
    if post is not None and company.is_valid() and person.is_valid():
        controller, user, _created = company_onboard(
            acting=request.user, company=company, person=person
        )
        context = {"controller": controller, **_invited(request, user, controller, person)}
        company, person = CompanyForm(prefix="company"), PersonForm(prefix="person")
    context = {
        **site.each_context(request),
        "title": _("Add a company and its first publisher"),
        "company_form": company,
        "person_form": person,
        **context,
    }
    return TemplateResponse(request, "admin/controllers/onboard.html", context)


def members(request: HttpRequest, pk: int, *, site: admin.AdminSite) -> HttpResponse:
    """Who may edit and publish a company's notices; publishers add people here."""
    controller = get_for_user_or_404(Controller.objects.all(), request.user, pk=pk)
    may_invite = can_publish(request.user, controller)
    post = request.POST if request.method == "POST" else None
    if post is not None and not may_invite:
        raise PermissionDenied
    form = MemberForm(post, prefix="member") if may_invite else None
    context: dict[str, Any] = {}
    if form is not None and post is not None and form.is_valid():
        membership, _created = member_invite(
            acting=request.user, controller=controller, person=form
        )
        context = _invited(request, membership.user, controller, form)
        form = MemberForm(prefix="member")
    context = {
        **site.each_context(request),
        "title": _("People of %(company)s") % {"company": controller},
        "controller": controller,
        "memberships": Membership.objects.filter(controller=controller)
        .select_related("user")
        .order_by("user__username"),
        "form": form,
        **context,
    }
    return TemplateResponse(request, "admin/controllers/members.html", context)


class PasswordSet(PasswordResetConfirmView):
    """The invitation link's page: the invited user chooses a password, once."""

    success_url = reverse_lazy("password_reset_complete")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class PasswordSetDone(PasswordResetCompleteView):
    """After the invitation link: the password is set, and the way in is the admin's login."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}
        context["login_url"] = reverse("admin:login")
        return context
