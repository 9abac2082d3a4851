"""Admin pages of onboarding: a new company with its publisher, a company's people.

On the people page a publisher adds a person, changes a member's role and
removes a member (after a confirmation). A company and its memberships are
found through tenancy: another company's are a 404, an editor's changes a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.views import PasswordResetCompleteView, PasswordResetConfirmView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Controller, Membership
from .onboarding import (
    CompanyForm,
    MemberForm,
    PersonForm,
    RoleForm,
    company_onboard,
    invitation_url,
    member_change_role,
    member_invite,
    member_remove,
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
        try:
            membership, _created = member_invite(
                acting=request.user, controller=controller, person=form
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
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
        "roles": Membership.Role.choices,
        **context,
    }
    return TemplateResponse(request, "admin/controllers/members.html", context)


def _membership(request: HttpRequest, pk: int, member: int) -> Membership:
    """The company's membership ``member``, within the user's companies (else 404);
    only its publishers (and superusers) may change it (else 403).
    """
    controller = get_for_user_or_404(Controller.objects.all(), request.user, pk=pk)
    membership = get_for_user_or_404(
        Membership.objects.select_related("user", "controller"),
        request.user,
        pk=member,
        controller=controller,
    )
    if not can_publish(request.user, controller):
        raise PermissionDenied
    return membership


def _people(membership: Membership) -> HttpResponse:
    return redirect("admin:controllers_controller_members", membership.controller_id)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
def member_role(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    """A member's new role, from the people page."""
    membership = _membership(request, pk, member)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return _people(membership)
    try:
        changed = member_change_role(
            acting=request.user, membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        if changed:
            messages.success(
                request,
                _("The role of %(username)s is now: %(role)s.")
                % {
                    "username": membership.user.get_username(),
                    "role": membership.get_role_display(),
                },
            )
    return _people(membership)


def member_remove_view(
    request: HttpRequest, pk: int, member: int, *, site: admin.AdminSite
) -> HttpResponse:
    """Remove a member after a confirmation; their user account stays."""
    membership = _membership(request, pk, member)
    if request.method == "POST":
        username = membership.user.get_username()
        try:
            member_remove(acting=request.user, membership=membership)
        except ValidationError as error:
            _refused(request, error)
            return _people(membership)
        messages.success(
            request,
            _("Access removed: %(username)s can no longer open the notices of %(company)s.")
            % {"username": username, "company": membership.controller},
        )
        if membership.user_id == request.user.pk and not request.user.is_superuser:
            # Their own access is gone: the people page would be a 404.
            return redirect("admin:index")
        return _people(membership)
    context = {
        **site.each_context(request),
        "title": _("Remove %(username)s from %(company)s?")
        % {"username": membership.user.get_username(), "company": membership.controller},
        "membership": membership,
        "controller": membership.controller,
    }
    return TemplateResponse(request, "admin/controllers/member_remove.html", context)


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
