"""Bringing people in: a new company with its first publisher, and a company's new members.

A superuser creates a company and invites its first publisher in one form
(``company_onboard``); a publisher adds editors and publishers from the company's
page (``member_invite``), changes a member's role (``member_change_role``) and
removes a member (``member_remove``), never leaving the company without a
publisher. Membership is what grants admin access
(``controllers.tenancy.has_admin_access``), so no staff flag has to be ticked.

A new user gets no password: the invitation is a one-time link to set one, made
by Django's password-reset tokens (``invitation_url``), which stop working once
the password is set. The link is shown to whoever invited, to pass on, and
e-mailed through the configured ``EMAIL_BACKEND`` when asked.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .models import AuditEvent, Controller, Membership
from .tenancy import can_publish


class CompanyForm(forms.ModelForm):
    """What a company needs to exist; the rest is filled in on its own page."""

    class Meta:
        model = Controller
        fields = ["name", "business_id", "slug", "street_address", "postal_code", "city", "email"]


class PersonForm(forms.Form):
    """The person to invite: an existing user by username, or a new one."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("An existing user is added as they are; a new one is created."),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("Needed for a new user: the invitation may be sent there."),
    )
    send_email = forms.BooleanField(
        label=_("Send the invitation link by email"), required=False, initial=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        username = data.get("username", "")
        existing = get_user_model().objects.filter(username=username).first()
        data["existing"] = existing
        if existing is None:
            if username:
                try:
                    get_user_model().username_validator(username)
                except forms.ValidationError as error:
                    self.add_error("username", error)
            if not data.get("email"):
                self.add_error(
                    "email",
                    forms.ValidationError(
                        _("Give the email address of the new user."), code="required"
                    ),
                )
        elif data.get("send_email") and not (data.get("email") or existing.email):
            self.add_error(
                "email",
                forms.ValidationError(
                    _("This user has no email address: give one or leave sending off."),
                    code="required",
                ),
            )
        return data


class MemberForm(PersonForm):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


def _person(data: dict[str, Any]) -> tuple[Any, bool]:
    """The user ``data`` names (PersonForm's cleaned data), created if new."""
    user = data["existing"]
    if user is not None:
        return user, False
    user = get_user_model()(username=data["username"], email=data["email"], is_active=True)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user, True


def company_onboard(
    *, acting: Any, company: CompanyForm, person: PersonForm
) -> tuple[Controller, Any, bool]:
    """Create the company of ``company`` and make ``person`` its first publisher.

    Superusers only. One transaction: the company, the user if new, the
    membership and their audit rows, or nothing. Returns the company, the user and
    whether the user is new.
    """
    if not (acting.is_active and acting.is_superuser):
        raise PermissionDenied
    with transaction.atomic():
        controller = company.save()
        user, created = _person(person.cleaned_data)
        membership = Membership.objects.create(
            user=user, controller=controller, role=Membership.Role.PUBLISHER
        )
        audit_record(
            user=acting, controller=controller, action=AuditEvent.Action.ADD, obj=controller
        )
        audit_record(
            user=acting, controller=controller, action=AuditEvent.Action.ADD, obj=membership
        )
    return controller, user, created


class RoleForm(forms.Form):
    """A member's new role, chosen on the company's people page."""

    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


def _keep_a_publisher(membership: Membership, role: str | None) -> None:
    """Refuse to leave the company without a publisher (``role`` None: removal).

    Locks the company's publishers' rows, so that two publishers demoting each
    other at the same time cannot both succeed. Call inside a transaction.
    """
    publisher = Membership.Role.PUBLISHER
    if membership.role != publisher or role == publisher:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(controller_id=membership.controller_id, role=publisher)
        .exclude(pk=membership.pk)
    )
    if not list(others.values_list("pk", flat=True)):
        raise ValidationError(
            _(
                "A company needs a publisher: %(username)s is the only one of %(company)s. "
                "Make another person a publisher first."
            ),
            code="last_publisher",
            params={
                "username": membership.user.get_username(),
                "company": str(membership.controller),
            },
        )


def _locked(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update()
        .select_related("user", "controller")
        .get(pk=membership.pk)
    )


def member_change_role(*, acting: Any, membership: Membership, role: str) -> bool:
    """Give ``membership`` the ``role`` (publishers and superusers only); audited.

    Raises ``ValidationError`` if it would leave the company without a publisher.
    Returns whether the role changed.
    """
    if not can_publish(acting, membership.controller_id):
        raise PermissionDenied
    with transaction.atomic():
        current = _locked(membership)
        if current.role == role:
            return False
        _keep_a_publisher(current, role)
        current.role = role
        current.save(update_fields=["role"])
        audit_record(
            user=acting,
            controller=current.controller_id,
            action=AuditEvent.Action.CHANGE,
            obj=current,
            # As the admin's change message: shown translated in the audit log.
            details=[{"changed": {"fields": ["Role"]}}],
        )
    membership.role = role
    return True


def member_remove(*, acting: Any, membership: Membership) -> None:
    """Take ``membership`` away (publishers and superusers only); audited.

    The user account stays (it may belong to other companies). Raises
    ``ValidationError`` if it would leave the company without a publisher.
    """
    if not can_publish(acting, membership.controller_id):
        raise PermissionDenied
    with transaction.atomic():
        current = _locked(membership)
        _keep_a_publisher(current, None)
        audit_record(
            user=acting,
            controller=current.controller_id,
            action=AuditEvent.Action.DELETE,
            obj=current,
        )
        current.delete()


def member_invite(
    *, acting: Any, controller: Controller, person: MemberForm
) -> tuple[Membership, bool]:
    """Add ``person`` to ``controller`` in the role chosen (publishers and superusers only).

    A user already a member gets the new role, unless that leaves the company
    without a publisher (``ValidationError``). Returns the membership and whether
    the user is new.
    """
    if not can_publish(acting, controller):
        raise PermissionDenied
    with transaction.atomic():
        user, created = _person(person.cleaned_data)
        existing = (
            Membership.objects.select_for_update()
            .select_related("user", "controller")
            .filter(user=user, controller=controller)
            .first()
        )
        if existing is not None:
            _keep_a_publisher(existing, person.cleaned_data["role"])
        membership, added = Membership.objects.update_or_create(
            user=user, controller=controller, defaults={"role": person.cleaned_data["role"]}
        )
        audit_record(
            user=acting,
            controller=controller,
            action=AuditEvent.Action.ADD if added else AuditEvent.Action.CHANGE,
            obj=membership,
        )
    return membership, created


def invitation_url(request: HttpRequest, user: Any) -> str | None:
    """A one-time link for ``user`` to set a password, or None if they have one."""
    if user.has_usable_password():
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return request.build_absolute_uri(path)


def send_invitation(*, url: str, user: Any, controller: Controller, email: str) -> None:
    """E-mail the invitation link through the configured backend."""
    send_mail(
        gettext("Invitation to edit the privacy notices of %(company)s") % {"company": controller},
        gettext(
            "You have been given access to the privacy notices of %(company)s. "
            "Your username is %(username)s. Set your password with this link, "
            "which works once:\n\n%(url)s\n"
        )
        % {"company": controller, "username": user.get_username(), "url": url},
        None,
        [email],
    )
