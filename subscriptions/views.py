"""Sign-up, confirmation and unsubscribe pages for a notice's change emails.

Forms and personal answers: never cached (``never_cache``), and nothing here says
whether an address is already subscribed. The unsubscribe address also takes
the one-click POST of RFC 8058, which mail providers send without a CSRF token:
the signed token in the address is what authorises it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config.security import client_ip
from notices.models import NoticeVersion

from . import throttle, tokens
from .mail import confirmation_message
from .models import Subscription


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _latest(lang: str, **where: Any) -> NoticeVersion:
    """The register's current version, if it is online and published in ``lang``."""
    version = (
        NoticeVersion.objects.filter(**where, register__is_online=True)
        .select_related("register")
        .only("number", "snapshot", "register__id", "register__is_online")
        .order_by("-number")
        .first()
    )
    if version is None or lang not in version.snapshot["languages"]:
        raise Http404(_("No published notice here."))
    return version


def _names(version: NoticeVersion, lang: str) -> dict[str, str]:
    snapshot = version.snapshot
    return {
        "notice": snapshot["register"]["name"].get(lang, ""),
        "controller": snapshot["controller"]["name"],
    }


def _page(request: HttpRequest, lang: str, template: str, context: dict, status: int = 200):  # type: ignore[no-untyped-def]
    with translation.override(lang):
        return render(
            request,
            f"subscriptions/{template}",
            {"lang": lang, "mode": "page", **context},
            status=status,
        )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest, lang: str, controller: str, register: str) -> HttpResponse:
    """The sign-up form; a valid address gets a confirmation link and nothing is stored."""
    version = _latest(lang, register__controller__slug=controller, register__slug=register)
    context: dict[str, Any] = {
        **_names(version, lang),
        "operator_notice_url": settings.OPERATOR_NOTICE_URL,
        "notice_url": f"/{lang}/{controller}/{register}/",
    }
    with translation.override(lang):
        form = SubscribeForm(request.POST if request.method == "POST" else None)
        if not form.is_valid():
            return _page(request, lang, "subscribe.html", {**context, "form": form})
        email = _normalise(form.cleaned_data["email"])
        if not (
            throttle.allow("client", client_ip(request) or "", throttle.PER_CLIENT)
            and throttle.allow("address", email, throttle.PER_ADDRESS)
        ):
            form.add_error(None, _("Too many sign-ups. Please try again later."))
            return _page(request, lang, "subscribe.html", {**context, "form": form}, status=429)
        pending = tokens.Pending(version.register.pk, email, lang)
        confirmation_message(pending, context, base=request.build_absolute_uri("/")).send()
    return _page(request, lang, "check_inbox.html", {**context, "email": email})


def _normalise(email: str) -> str:
    local, _at, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, lang: str, token: str) -> HttpResponse:
    """A button to confirm (mail scanners follow links); the POST stores the address."""
    pending = tokens.read_confirm_token(token)
    if pending is None or pending.language != lang:
        return _page(request, lang, "link_broken.html", {}, status=400)
    version = _latest(lang, register_id=pending.register_id)
    context = {**_names(version, lang), "email": pending.email}
    if request.method != "POST":
        return _page(request, lang, "confirm.html", context)
    with transaction.atomic():
        Subscription.objects.update_or_create(
            register_id=pending.register_id,
            email=pending.email,
            defaults={"language": lang},
            create_defaults={
                "language": lang,
                "confirmed_at": timezone.now(),
                "notified_number": version.number,
            },
        )
    return _page(request, lang, "subscribed.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, lang: str, token: str) -> HttpResponse:
    """A button to unsubscribe; the POST (also RFC 8058's one-click) deletes the address."""
    found = tokens.read_unsubscribe_token(token)
    if found is None:
        return _page(request, lang, "link_broken.html", {}, status=400)
    subscription_id, email = found
    if request.method != "POST":
        exists = Subscription.objects.filter(pk=subscription_id, email=email).exists()
        return _page(request, lang, "unsubscribe.html", {"email": email, "exists": exists})
    Subscription.objects.filter(pk=subscription_id, email=email).delete()
    return _page(request, lang, "unsubscribed.html", {"email": email})
