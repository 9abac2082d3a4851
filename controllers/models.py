"""The tenant: companies (controllers), their people and who may edit them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .fields import LineField, ProseField
from .validators import (
    validate_brand_color,
    validate_business_id,
    validate_logo,
    validate_origins,
)


class Controller(models.Model):
    """A company that decides on processing (rekisterinpitäjä): the tenant."""

    # Tenancy: the path from this model to its Controller (see controllers.tenancy).
    tenant_path = ""

    name = LineField(_("legal name"), max_length=200)
    # Customary, not required by the GDPR: Art. 13(1)(a) asks for the identity and
    # contact details, which notices/completeness.py checks before publishing.
    business_id = LineField(
        _("business ID"),
        max_length=9,
        blank=True,
        validators=[validate_business_id],
        help_text=_("Finnish business ID (y-tunnus), e.g. 1234567-1. Leave empty if none."),
    )
    slug = models.SlugField(
        _("public address name"),
        max_length=60,
        unique=True,
        validators=[validate_slug],
        help_text=_("Used in the public address of the notices: /<language>/<name>/."),
    )
    street_address = LineField(_("street address"), max_length=200, blank=True)
    postal_code = LineField(_("postal code"), max_length=20, blank=True)
    city = LineField(_("city"), max_length=100, blank=True)
    # A code, shown as the country's name in the notice's language (django-countries).
    country = CountryField(_("country"), blank=True)
    phone = LineField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="logos/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG, JPEG, GIF or WebP image of at most 512 KB and 2000 pixels a side."),
    )
    brand_color = LineField(
        _("brand colour"),
        max_length=7,
        default="#1a5fb4",
        validators=[validate_brand_color],
        help_text=_("The colour of the notice's header, e.g. #1a5fb4."),
    )
    representative = ProseField(
        _("EU representative"),
        blank=True,
        help_text=_(
            "Name and contact details of the representative in the EU, "
            "if the company is established outside the EU."
        ),
    )
    dpo_name = LineField(_("data protection officer"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("data protection officer's email"), blank=True)
    dpo_phone = LineField(_("data protection officer's phone"), max_length=40, blank=True)
    embed_origins = ProseField(
        _("websites allowed to embed the notices"),
        blank=True,
        validators=[validate_origins],
        help_text=_("One origin a line, e.g. https://www.example.com."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("controller")
        verbose_name_plural = _("controllers")
        ordering = ["name"]
        # A superuser's company list is ordered by name, one page at a time.
        indexes = [models.Index(fields=["name"], name="controller_name")]
        constraints = [
            models.UniqueConstraint(
                fields=["business_id"],
                condition=~models.Q(business_id=""),
                name="unique_controller_business_id",
                violation_error_message=_("A controller with this business ID already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def embed_origin_list(self) -> list[str]:
        return [line.strip() for line in self.embed_origins.splitlines() if line.strip()]

    @property
    def has_dpo(self) -> bool:
        return bool(self.dpo_name or self.dpo_email)


class ContactPerson(models.Model):
    """A person to contact in matters of a register (rekisteriasioista vastaava)."""

    tenant_path = "controller"

    controller = models.ForeignKey(
        Controller,
        on_delete=models.CASCADE,
        related_name="contact_persons",
        verbose_name=_("controller"),
    )
    name = LineField(_("name"), max_length=200)
    title = LineField(_("title"), max_length=200, blank=True)
    # Where the controller names a data protection officer, the notice may name a further
    # contact person by name only ("…tietosuojavastaava on X, x@…, tai markkinoinnista
    # vastaava Y"): the officer's details are the way to reach them.
    email = models.EmailField(
        _("email"),
        blank=True,
        help_text=_("Needed unless the controller names a data protection officer."),
    )
    phone = LineField(_("phone"), max_length=40, blank=True)
    postal_address = ProseField(
        _("postal address"),
        blank=True,
        max_length=500,
        help_text=_("Where letters to the contact person go, if the notice gives it."),
    )

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["controller", "name"]

    def __str__(self) -> str:
        # A name given in one language only is the same in every language (a proper
        # name); modeltranslation has no fallback here, so the active language's
        # column alone may be empty.
        given = (getattr(self, f"name_{code}", None) for code, _name in settings.LANGUAGES)
        return self.name or next((name for name in given if name), "")

    def clean(self) -> None:
        if self.email or not self.controller_id or self.controller.has_dpo:
            return
        raise ValidationError(
            {
                "email": ValidationError(
                    _(
                        "Give the contact person's email address, or name the controller's "
                        "data protection officer."
                    ),
                    code="contact_email_missing",
                )
            }
        )


class Membership(models.Model):
    """A user's role in one controller; a user may belong to several."""

    tenant_path = "controller"

    class Role(models.TextChoices):
        EDITOR = "editor", _("editor (edit and preview)")
        PUBLISHER = "publisher", _("publisher (also publish)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    controller = models.ForeignKey(
        Controller,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("controller"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.EDITOR)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["controller", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "controller"],
                name="unique_membership",
                violation_error_message=_("This user is already a member of this controller."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.controller} ({self.get_role_display()})"


class AuditEvent(models.Model):
    """Who did what, when, to which object of a controller: an append-only log.

    Written only through ``controllers.audit.audit_record``: by the admin for every
    addition, change and deletion, and by the publishing services. The rows outlive
    their objects and users (names are copied); if a controller is deleted its
    events stay, visible to superusers only.
    """

    tenant_path = "controller"

    class Action(models.TextChoices):
        ADD = "add", _("added")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        PUBLISH = "publish", _("published")
        OFFLINE = "offline", _("taken offline")
        ONLINE = "online", _("brought back online")

    controller = models.ForeignKey(
        Controller,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("controller"),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("object type"),
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    details = models.TextField(_("details"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["controller", "-created_at"], name="audit_controller_time")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.object_repr}"

    def summary(self) -> str:
        """``details`` in the reader's language (the admin's change messages are JSON)."""
        if self.details.startswith("["):
            from .change_messages import change_message_text

            return change_message_text(self.details)
        return self.details
