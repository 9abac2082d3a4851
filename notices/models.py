"""Registers and everything their privacy notices say.

A Register belongs to one Controller; its parts (purposes, data categories,
sources, recipients, processors, transfers, retention, security, cookies,
rights) belong to the register. Shared facts (legal bases, the catalogue of
rights, supervisory authorities) are catalogues that every company picks from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from controllers.fields import LineField, ProseField
from controllers.models import ContactPerson, Controller

from . import rules
from .languages import LanguagesField, codes, default_field, texts

# --- Shared catalogues ---------------------------------------------------------


class LegalBasis(models.Model):
    """A legal basis of processing: GDPR Art. 6(1)(a)–(f) or Art. 9(2)(a)–(j)."""

    tenant_path = None  # shared catalogue, the same for every controller

    class Kind(models.TextChoices):
        GENERAL = "art6", _("Art. 6(1): lawfulness of processing")
        SPECIAL = "art9", _("Art. 9(2): special categories of data")

    code = models.SlugField(_("code"), max_length=10, unique=True)
    article = models.CharField(_("article"), max_length=20)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind)
    name = LineField(_("name"), max_length=200)
    description = ProseField(_("explanation"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.article} {self.name}"

    @property
    def is_consent(self) -> bool:
        return rules.is_consent(self.code)

    @property
    def is_legitimate_interest(self) -> bool:
        return rules.needs_legitimate_interest(self.code)


class Right(models.Model):
    """A data subject's right (Art. 15–22, 7(3), 77) with default notice wording."""

    tenant_path = None

    class Code(models.TextChoices):
        ACCESS = "access", _("right of access")
        RECTIFICATION = "rectification", _("right to rectification")
        ERASURE = "erasure", _("right to erasure")
        RESTRICTION = "restriction", _("right to restriction of processing")
        OBJECTION = "objection", _("right to object")
        PORTABILITY = "portability", _("right to data portability")
        WITHDRAW_CONSENT = "withdraw_consent", _("right to withdraw consent")
        COMPLAINT = "complaint", _("right to lodge a complaint")

    code = models.CharField(_("code"), max_length=20, choices=Code, unique=True)
    article = models.CharField(_("article"), max_length=20)
    name = LineField(_("name"), max_length=200)
    default_text = ProseField(_("default wording"))
    can_be_omitted = models.BooleanField(
        _("can be left out"),
        default=False,
        help_text=_("Whether a register may leave this right out where the law allows."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("data subject right")
        verbose_name_plural = _("data subject rights")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class SupervisoryAuthority(models.Model):
    """A data protection authority a data subject may complain to."""

    tenant_path = None

    name = LineField(_("name"), max_length=200)
    street_address = LineField(_("address"), max_length=200)
    phone = LineField(_("phone"), max_length=40)
    email = models.EmailField(_("email"))
    website = models.URLField(_("website"))
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("supervisory authority")
        verbose_name_plural = _("supervisory authorities")
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


def default_supervisory_authority() -> int | None:
    # Only the id. Migrations 0001-0017 name it; the register has no default since 0018
    # (which authority a notice names is the editor's choice, never the service's).
    return SupervisoryAuthority.objects.filter(is_default=True).values_list("pk", flat=True).first()


# --- The register ----------------------------------------------------------------


class Register(models.Model):
    """A register (rekisteri) of one controller; each gets its own privacy notice."""

    tenant_path = "controller"

    class DataOrigin(models.TextChoices):
        SUBJECT = "subject", _("from the data subjects themselves (Art. 13)")
        OTHER = "other", _("from elsewhere (Art. 14)")
        BOTH = "both", _("both from the data subjects and from elsewhere (Art. 13 and 14)")

    controller = models.ForeignKey(
        Controller, on_delete=models.CASCADE, related_name="registers", verbose_name=_("controller")
    )
    name = LineField(_("register name"), max_length=200)
    slug = models.SlugField(
        _("public address name"),
        max_length=60,
        validators=[validate_slug],
        help_text=_("Used in the notice's public address; unique within the controller."),
    )
    introduction = ProseField(
        _("introduction"),
        blank=True,
        help_text=_("What the notice covers, in a few plain sentences."),
    )
    contact_person = models.ForeignKey(
        ContactPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registers",
        verbose_name=_("contact person"),
    )
    # Where the data comes from is the company's answer (Art. 13 or 14): none until chosen.
    data_origin = models.CharField(
        _("where the data comes from"),
        max_length=10,
        blank=True,
        default="",
        choices=[("", _("not answered yet")), *DataOrigin.choices],
    )
    statutory_requirement = ProseField(
        _("statutory or contractual requirement"),
        blank=True,
        help_text=_(
            "Whether providing the data is required by law or by a contract, whether the "
            "person must provide it and what follows if they do not (Art. 13(2)(e))."
        ),
    )
    # The questions GDPR requires a notice to answer start unanswered (None): the
    # notice states only what an editor chose, and the completeness check asks.
    has_automated_decisions = models.BooleanField(
        _("automated decision-making or profiling"),
        null=True,
        blank=True,
        default=None,
        choices=[
            (None, _("not answered yet")),
            (True, _("yes: decisions are made automatically (describe them below)")),
            (False, _("no: no automated decisions or profiling with significant effects")),
        ],
        help_text=_(
            "Whether decisions with legal or similarly significant effects are made by "
            "automated means alone, including profiling (Art. 22)."
        ),
    )
    automated_decisions = ProseField(
        _("automated decision-making and profiling"),
        blank=True,
        help_text=_("The logic involved, and the significance and consequences for the person."),
    )
    no_recipients = models.BooleanField(
        _("no recipients"),
        null=True,
        blank=True,
        default=None,
        choices=[
            (None, _("not answered yet")),
            (True, _("no recipients: the data is not disclosed outside the controller")),
            (False, _("the data has recipients: they are listed below")),
        ],
        help_text=_(
            "Recipients may be named or described by category or function (Art. 13(1)(e))."
        ),
    )
    no_transfers = models.BooleanField(
        _("no transfers outside the EU/EEA"),
        null=True,
        blank=True,
        default=None,
        choices=[
            (None, _("not answered yet")),
            (True, _("no transfers: no personal data is transferred outside the EU/EEA")),
            (False, _("data is transferred: the transfers are listed below")),
        ],
        help_text=_("Whether personal data is transferred outside the EU or the EEA."),
    )
    # The third answer: the company's own words, where a yes or no would distort them
    # ("not, unless technically necessary"). Given, it answers Art. 13(1)(f) by itself
    # (``no_transfers`` stays None) and is printed instead of the service's sentence.
    transfers_statement = ProseField(
        _("transfers in the company's own words"),
        blank=True,
        help_text=_(
            "The company's own answer on transfers outside the EU/EEA, printed as written "
            "instead of a standard sentence: for instance when data is transferred only in "
            "some cases, and with which safeguards."
        ),
    )
    cookies_info = ProseField(
        _("about cookies"),
        blank=True,
        help_text=_("What cookies are used for on the website and how a visitor can refuse them."),
    )
    rights_exercise = ProseField(
        _("how to exercise the rights"),
        blank=True,
        help_text=_(
            "Where to send requests, how the person is identified and how soon they are "
            "answered (normally within one month)."
        ),
    )
    joint_controllers = ProseField(
        _("joint controllers"),
        blank=True,
        help_text=_(
            "Name and contact details of any controller that decides on this processing "
            "together with yours (Art. 26). Shown in the record of processing activities."
        ),
    )
    changes_policy = ProseField(
        _("changes to this notice"),
        blank=True,
        help_text=_(
            "How the controller changes this notice and how it tells the people concerned."
        ),
    )
    first_published_on = models.DateField(
        _("first published"),
        null=True,
        blank=True,
        help_text=_(
            "When the notice was first published, if before this service: shown as the "
            "notice's creation date."
        ),
    )
    supervisory_authority = models.ForeignKey(
        SupervisoryAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registers",
        verbose_name=_("supervisory authority"),
        help_text=_(
            "The authority a person can complain to, printed with its contact details. "
            "Optional: the law asks for the right to complain, which the rights list."
        ),
    )
    languages = LanguagesField(
        _("published languages"),
        help_text=_("The languages the notice is published in; every text is needed in each."),
    )
    is_online = models.BooleanField(
        _("online"),
        default=True,
        help_text=_("A register taken offline answers 410 Gone at its public addresses."),
    )
    # Legal bases stated once for the whole register (GDPR.md item 4): its purposes
    # then need none of their own, and the notice names the bases once.
    legal_bases = models.ManyToManyField(
        LegalBasis,
        blank=True,
        related_name="registers",
        verbose_name=_("legal bases of the whole register"),
        help_text=_(
            "Choose these if the notice states its legal bases once for all purposes; "
            "otherwise give each purpose its own."
        ),
    )
    legitimate_interest = ProseField(
        _("legitimate interest of the whole register"),
        blank=True,
        help_text=_(
            "The legitimate interest pursued (Art. 13(1)(d)), written once where it is the "
            "same for every purpose resting on Art. 6(1)(f)."
        ),
    )
    processors = models.ManyToManyField(
        "Processor",
        through="RegisterProcessor",
        related_name="registers",
        verbose_name=_("processors"),
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("registers")
        ordering = ["controller__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["controller", "slug"],
                name="unique_register_slug_per_controller",
                violation_error_message=_(
                    "The controller already has a register with this address name."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def collects_from_subject(self) -> bool:
        return rules.collects_from_subject(self.data_origin)

    @property
    def collects_from_elsewhere(self) -> bool:
        return rules.collects_from_elsewhere(self.data_origin)

    def clean_first_published_on(self) -> None:
        """The notice's first publication: not in the future, not after this service's first."""
        first = self.first_published_on
        if first is None:
            return
        if first > timezone.localdate():
            raise ValidationError(
                {"first_published_on": _("The first publication cannot be in the future.")},
                code="first_published_in_future",
            )
        on_service = self.first_published_on_service()
        if on_service is not None and first > on_service:
            raise ValidationError(
                {
                    "first_published_on": _(
                        "The notice was published on this service on %(date)s: it cannot "
                        "have been first published later."
                    )
                },
                code="first_published_after_service",
                params={"date": date_format(on_service, "SHORT_DATE_FORMAT")},
            )

    def first_published_on_service(self) -> date | None:
        """The day this service first published the notice (None: not yet)."""
        if self.pk is None:
            return None
        memo = self.__dict__.get("_first_on_service")
        if memo:
            return memo[0]
        first = self.versions.order_by("number").values_list("published_at", flat=True).first()
        day = timezone.localtime(first).date() if first else None
        if memo is not None:
            memo.append(day)
        return day

    @contextmanager
    def first_publication_remembered(self) -> Iterator[None]:
        """Within: ``first_published_on_service`` asks the database once at most, not
        once for each of a form's rows that checks a date against it (earlier changes)."""
        self.__dict__["_first_on_service"] = []
        try:
            yield
        finally:
            self.__dict__.pop("_first_on_service", None)

    def has_transfers_statement(self) -> bool:
        """Whether the transfers question is answered in the company's own words."""
        return any(
            (getattr(self, f"transfers_statement_{code}", "") or "").strip() for code in codes()
        )

    def clean(self) -> None:
        self.clean_first_published_on()
        if self.no_transfers is not None and self.has_transfers_statement():
            raise ValidationError(
                {
                    "no_transfers": ValidationError(
                        _(
                            "Answer the transfers question once: with a choice, or in the "
                            "company's own words (then the choice stays unanswered)."
                        ),
                        code="transfers_answered_twice",
                    )
                }
            )
        described = default_field("automated_decisions")
        if self.has_automated_decisions is True and not (getattr(self, described) or "").strip():
            raise ValidationError(
                {
                    described: ValidationError(
                        _("Describe the automated decision-making: its logic and consequences."),
                        code="automated_decisions_missing",
                    )
                }
            )


class RegisterPart(models.Model):
    """Common shape of a register's parts: an order the admin controls."""

    tenant_path = "register__controller"

    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class DataSubjectGroup(RegisterPart):
    """A group of people whose data the register holds (rekisteröityjen ryhmä)."""

    register = models.ForeignKey(
        Register,
        on_delete=models.CASCADE,
        related_name="subject_groups",
        verbose_name=_("register"),
    )
    name = LineField(_("name"), max_length=200)
    description = ProseField(_("description"), blank=True)

    class Meta(RegisterPart.Meta):
        verbose_name = _("group of data subjects")
        verbose_name_plural = _("groups of data subjects")

    def __str__(self) -> str:
        return self.name


class Purpose(RegisterPart):
    """A purpose of processing with its legal bases (Art. 13(1)(c)–(d))."""

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="purposes", verbose_name=_("register")
    )
    name = LineField(_("purpose"), max_length=300)
    description = ProseField(_("description"), blank=True)
    legal_bases = models.ManyToManyField(
        LegalBasis,
        related_name="purposes",
        verbose_name=_("legal bases"),
        blank=True,
        help_text=_("Leave empty where the register states its legal bases for all purposes."),
    )
    is_direct_marketing = models.BooleanField(
        _("direct marketing"),
        default=False,
        help_text=_(
            "Tick if this purpose is direct marketing: the right to object to it then "
            "always applies (Art. 21(2))."
        ),
    )
    legitimate_interest = ProseField(
        _("legitimate interest"),
        blank=True,
        help_text=_("Required when a legal basis is Art. 6(1)(f): the interest pursued."),
    )

    class Meta(RegisterPart.Meta):
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")

    def __str__(self) -> str:
        return self.name


class DataCategory(RegisterPart):
    """A category of personal data (henkilötietoryhmä) with examples."""

    register = models.ForeignKey(
        Register,
        on_delete=models.CASCADE,
        related_name="data_categories",
        verbose_name=_("register"),
    )
    name = LineField(_("name"), max_length=200)
    description = ProseField(_("description or examples"), blank=True)
    is_special = models.BooleanField(
        _("special category"),
        default=False,
        help_text=_("Health, ethnic origin, beliefs, biometrics and other Art. 9 data."),
    )
    subject_groups = models.ManyToManyField(
        DataSubjectGroup,
        blank=True,
        related_name="data_categories",
        verbose_name=_("groups of data subjects"),
        help_text=_("Leave empty if the category concerns every group."),
    )

    class Meta(RegisterPart.Meta):
        verbose_name = _("data category")
        verbose_name_plural = _("data categories")

    def __str__(self) -> str:
        return self.name


class Source(RegisterPart):
    """A regular source of data (säännönmukainen tietolähde)."""

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="sources", verbose_name=_("register")
    )
    name = LineField(_("source"), max_length=200)
    description = ProseField(_("description"), blank=True)
    is_public = models.BooleanField(_("publicly accessible"), default=False)

    class Meta(RegisterPart.Meta):
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class Recipient(RegisterPart):
    """A recipient or category of recipients, or a regular disclosure."""

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("register")
    )
    name = LineField(_("recipient"), max_length=200)
    description = ProseField(_("description"), blank=True)
    is_regular_disclosure = models.BooleanField(
        _("regular disclosure"),
        default=False,
        help_text=_("Tick if data is disclosed to this recipient regularly (säännönmukainen)."),
    )

    class Meta(RegisterPart.Meta):
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients and disclosures")

    def __str__(self) -> str:
        return self.name


class Processor(models.Model):
    """A processor (henkilötietojen käsittelijä) the controller uses, defined once."""

    tenant_path = "controller"

    controller = models.ForeignKey(
        Controller,
        on_delete=models.CASCADE,
        related_name="processors",
        verbose_name=_("controller"),
    )
    # A processor may be named by its function only (Art. 13(1)(e) allows categories
    # of recipients): then "what it does" names it, and where it is may be unknown.
    name = LineField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to name the processor by what it does only."),
    )
    # A named processor may leave its function unsaid (the notice names the service
    # and what it holds there): a name or what it does is needed, not both.
    service = LineField(
        _("what it does"),
        max_length=300,
        blank=True,
        help_text=_("For example: CRM, e-mail, accounting, or “IT subcontractors”."),
    )
    country = CountryField(
        _("country"), blank=True, help_text=_("Where the data is processed, if known.")
    )
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("processor")
        verbose_name_plural = _("processors")
        ordering = ["controller__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["controller", "name"],
                # An expression, not Q(name=""): modeltranslation rewrites a Q's field
                # names in place, by the active language, whenever the constraint is
                # validated, which changed the constraint itself.
                condition=~models.Q(Exact(models.F("name"), "")),
                name="unique_processor_name_per_controller",
                violation_error_message=_("The controller already has a processor of this name."),
            )
        ]

    def __str__(self) -> str:
        # Named by its function only: what it does, in the reader's language or any other.
        services = texts(self, "service", codes()).values()
        # A name given in one language only is the same in every language (languages.names).
        given = {text for text in texts(self, "name", codes()).values() if text}
        name = self.name or (given.pop() if len(given) == 1 else "")
        return name or self.service or next((text for text in services if text), "")

    @property
    def is_outside_eea(self) -> bool:
        return rules.is_outside_eea(self.country.code)

    def clean(self) -> None:
        named = any(texts(self, "name", codes()).values())
        if not named and not any(texts(self, "service", codes()).values()):
            raise ValidationError(
                {
                    default_field("service"): ValidationError(
                        _("Give the processor's name or say what it does."),
                        code="processor_unnamed",
                    )
                }
            )


class RegisterProcessor(RegisterPart):
    """A processor used by one register, with what it processes there."""

    register = models.ForeignKey(
        Register,
        on_delete=models.CASCADE,
        related_name="register_processors",
        verbose_name=_("register"),
    )
    processor = models.ForeignKey(
        Processor,
        on_delete=models.PROTECT,
        related_name="register_processors",
        verbose_name=_("processor"),
    )
    processes = ProseField(
        _("what it processes here"),
        blank=True,
        help_text=_("The data this processor holds for the register."),
    )

    class Meta(RegisterPart.Meta):
        verbose_name = _("processor of the register")
        verbose_name_plural = _("processors of the register")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "processor"],
                name="unique_processor_per_register",
                violation_error_message=_("This processor is already listed for the register."),
            )
        ]

    def __str__(self) -> str:
        return str(self.processor)

    def clean(self) -> None:
        if (
            self.register_id
            and self.processor_id
            and self.processor.controller_id != self.register.controller_id
        ):
            raise ValidationError(
                {"processor": _("Choose a processor of the register's own controller.")},
                code="other_controller",
            )


class Transfer(RegisterPart):
    """A transfer of data outside the EU/EEA and its safeguard (Art. 13(1)(f))."""

    class Safeguard(models.TextChoices):
        ADEQUACY = "adequacy", _("adequacy decision of the European Commission")
        SCC = "scc", _("standard contractual clauses")
        BCR = "bcr", _("binding corporate rules")
        DPF = "dpf", _("EU–US Data Privacy Framework")
        DEROGATION = "art49", _("derogation for specific situations (Art. 49)")

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("register")
    )
    country = CountryField(_("destination country"))
    processor = models.ForeignKey(
        Processor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("processor"),
    )
    recipient = LineField(
        _("recipient"),
        max_length=200,
        blank=True,
        help_text=_("Who receives the data, if not one of the processors."),
    )
    safeguard = models.CharField(_("safeguard"), max_length=10, choices=Safeguard)
    copy_info = ProseField(
        _("how to obtain a copy"),
        blank=True,
        help_text=_("How a person can get a copy of the safeguards, or where they are available."),
    )

    class Meta(RegisterPart.Meta):
        verbose_name = _("transfer outside the EU/EEA")
        verbose_name_plural = _("transfers outside the EU/EEA")

    def __str__(self) -> str:
        return f"{self.processor or self.recipient} → {self.country.name}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.country and not rules.is_outside_eea(self.country.code):
            errors["country"] = ValidationError(
                _("%(country)s is in the EU/EEA: that is not a transfer outside it."),
                code="country_in_eea",
                params={"country": self.country.name},
            )
        recipient = default_field("recipient")
        if not self.processor_id and not (getattr(self, recipient) or "").strip():
            errors[recipient] = ValidationError(
                _("Name the recipient or choose one of the processors."),
                code="recipient_missing",
            )
        if (
            self.processor_id
            and self.register_id
            and self.processor.controller_id != self.register.controller_id
        ):
            errors["processor"] = ValidationError(
                _("Choose a processor of the register's own controller."), code="other_controller"
            )
        if errors:
            raise ValidationError(errors)


class RetentionRule(RegisterPart):
    """How long data is kept: for the register or one data category (Art. 13(2)(a))."""

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        WEEKS = "weeks", _("weeks")
        MONTHS = "months", _("months")
        YEARS = "years", _("years")

    register = models.ForeignKey(
        Register,
        on_delete=models.CASCADE,
        related_name="retention_rules",
        verbose_name=_("register"),
    )
    data_category = models.ForeignKey(
        DataCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retention_rules",
        verbose_name=_("data category"),
        help_text=_("Leave empty if the rule applies to the whole register."),
    )
    period = models.PositiveSmallIntegerField(_("period"), null=True, blank=True)
    period_unit = models.CharField(_("unit"), max_length=6, choices=Unit, blank=True)
    starting_event = LineField(
        _("counted from"),
        max_length=300,
        blank=True,
        help_text=_("For example: the end of the customer relationship."),
    )
    criteria = ProseField(
        _("criteria"),
        blank=True,
        help_text=_("The criteria that set how long data is kept, in words."),
    )

    class Meta(RegisterPart.Meta):
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        subject = self.data_category or _("whole register")
        if self.period:
            return f"{subject}: {self.period} {self.get_period_unit_display()}"
        return str(subject)

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.period and not self.period_unit:
            errors["period_unit"] = ValidationError(
                _("Choose the unit of the period."), code="unit_missing"
            )
        if self.period_unit and not self.period:
            errors["period"] = ValidationError(
                _("Give the period as a number."), code="period_missing"
            )
        criteria = default_field("criteria")
        if not self.period and not (getattr(self, criteria) or "").strip():
            errors[criteria] = ValidationError(
                _("Give a retention period or describe the criteria."), code="retention_missing"
            )
        if (
            self.data_category_id
            and self.register_id
            and self.data_category.register_id != self.register_id
        ):
            errors["data_category"] = ValidationError(
                _("Choose a data category of this register."), code="other_register"
            )
        if errors:
            raise ValidationError(errors)


class SecurityMeasure(RegisterPart):
    """How the data is protected (rekisterin suojauksen periaatteet)."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("manual material")
        ELECTRONIC = "electronic", _("electronic material")
        ORGANISATIONAL = "organisational", _("organisation and staff")

    register = models.ForeignKey(
        Register,
        on_delete=models.CASCADE,
        related_name="security_measures",
        verbose_name=_("register"),
    )
    kind = models.CharField(_("material"), max_length=20, choices=Kind)
    description = ProseField(_("description"))

    class Meta(RegisterPart.Meta):
        verbose_name = _("security measure")
        verbose_name_plural = _("security measures")

    def __str__(self) -> str:
        return self.get_kind_display()


class Cookie(RegisterPart):
    """A cookie or tracker used on the controller's website."""

    class Category(models.TextChoices):
        NECESSARY = "necessary", _("strictly necessary")
        PREFERENCES = "preferences", _("preferences")
        STATISTICS = "statistics", _("statistics")
        MARKETING = "marketing", _("marketing")

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="cookies", verbose_name=_("register")
    )
    name = LineField(_("name"), max_length=200)
    provider = LineField(_("provider"), max_length=200)
    category = models.CharField(_("purpose category"), max_length=20, choices=Category)
    purpose = ProseField(_("purpose"), blank=True)
    duration = LineField(
        _("duration"),
        max_length=100,
        blank=True,
        help_text=_("For example: session, 13 months."),
    )
    # None: the company does not say; the notice then says nothing about consent.
    consent_required = models.BooleanField(
        _("consent required"),
        null=True,
        blank=True,
        default=None,
        choices=[
            (None, _("not stated")),
            (True, _("consent required")),
            (False, _("no consent required")),
        ],
    )
    provider_country = CountryField(
        _("provider's country"),
        blank=True,
        help_text=_("Where the provider is: tells whether the data leaves the EU/EEA."),
    )

    class Meta(RegisterPart.Meta):
        verbose_name = _("cookie or tracker")
        verbose_name_plural = _("cookies and trackers")

    def __str__(self) -> str:
        return self.name


class RegisterRight(RegisterPart):
    """A right as it appears in one register's notice: included or left out, own wording."""

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="rights", verbose_name=_("register")
    )
    right = models.ForeignKey(
        Right, on_delete=models.PROTECT, related_name="register_rights", verbose_name=_("right")
    )
    included = models.BooleanField(_("included"), default=True)
    text = ProseField(
        _("own wording"),
        blank=True,
        help_text=_("Leave empty to use the default wording of the right."),
    )

    class Meta(RegisterPart.Meta):
        verbose_name = _("right of the data subject")
        verbose_name_plural = _("rights of the data subject")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "right"],
                name="unique_right_per_register",
                violation_error_message=_("This right is already listed for the register."),
            )
        ]

    def __str__(self) -> str:
        return str(self.right)

    @property
    def code(self) -> str:
        """The right's code: its item's identity in the notice (parts.PARTS)."""
        return self.right.code

    def clean(self) -> None:
        if self.right_id and not self.included and not self.right.can_be_omitted:
            raise ValidationError(
                {
                    "included": ValidationError(
                        _("“%(right)s” always applies and cannot be left out."),
                        code="right_mandatory",
                        params={"right": self.right.name},
                    )
                }
            )


# --- Free texts of the notice and its history before this service ----------------------


class CoverageItem(RegisterPart):
    """One thing the register covers, in a short list (e.g. billing data, hosting users' data)."""

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="coverage", verbose_name=_("register")
    )
    name = LineField(_("name"), max_length=200)

    class Meta(RegisterPart.Meta):
        verbose_name = _("what the register covers")
        verbose_name_plural = _("what the register covers")

    def __str__(self) -> str:
        return self.name


# Filled by ``notices.parts`` when it is imported (the app's ready() imports it): the
# models do not import the parts, which are built from the models.
LEAD_SECTION_CHOICES: list[tuple[str, Any]] = []


def lead_sections() -> list[tuple[str, str]]:
    """The sections a lead paragraph can introduce: every section of ``parts`` (at run time)."""
    return list(LEAD_SECTION_CHOICES)


class SectionLead(RegisterPart):
    """The register's own paragraph that opens one section of its notice."""

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="section_leads", verbose_name=_("register")
    )
    section = models.CharField(_("section"), max_length=40, choices=lead_sections)
    text = ProseField(_("lead paragraph"))

    class Meta(RegisterPart.Meta):
        verbose_name = _("lead paragraph of a section")
        verbose_name_plural = _("lead paragraphs of the sections")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "section"],
                name="unique_lead_per_section",
                violation_error_message=_("This section already has a lead paragraph."),
            )
        ]

    def __str__(self) -> str:
        return self.get_section_display()


class EarlierChange(RegisterPart):
    """A dated change of the notice from before this service published it."""

    register = models.ForeignKey(
        Register,
        on_delete=models.CASCADE,
        related_name="earlier_changes",
        verbose_name=_("register"),
    )
    date = models.DateField(_("date"))
    # The original may give only the date of its latest change ("Viimeisin muutos
    # 10.7.2023"): the change log then shows the date without a description.
    text = ProseField(
        _("description"),
        blank=True,
        help_text=_("What changed, if the notice says; leave empty to show the date only."),
    )

    class Meta(RegisterPart.Meta):
        verbose_name = _("change before this service")
        verbose_name_plural = _("changes before this service")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return date_format(self.date, "SHORT_DATE_FORMAT")

    def clean(self) -> None:
        if self.date is None:
            return
        if self.date > timezone.localdate():
            raise ValidationError(
                {"date": _("A change before this service cannot be dated in the future.")},
                code="earlier_change_in_future",
            )
        if not self.register_id:
            return
        on_service = self.register.first_published_on_service()
        if on_service is not None and self.date >= on_service:
            raise ValidationError(
                {
                    "date": _(
                        "The notice was first published on this service on %(date)s: a change "
                        "before this service must be dated earlier."
                    )
                },
                code="earlier_change_after_service",
                params={"date": date_format(on_service, "SHORT_DATE_FORMAT")},
            )
        first = self.register.first_published_on
        if first is not None and self.date < first:
            raise ValidationError(
                {
                    "date": _(
                        "The notice was first published on %(date)s: a change cannot be "
                        "dated before that."
                    )
                },
                code="earlier_change_before_first",
                params={"date": date_format(first, "SHORT_DATE_FORMAT")},
            )


# --- Published versions ----------------------------------------------------------------


class NoticeVersion(models.Model):
    """An immutable, dated, published version of a register's notice.

    Holds the snapshot of the content, the computed list of changes since the
    previous version, and (in NoticeRendering) the rendered page, PDF and JSON of
    each published language. Nothing here is ever edited after publishing.
    """

    tenant_path = "register__controller"

    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, related_name="versions", verbose_name=_("register")
    )
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="published_versions",
        verbose_name=_("published by"),
    )
    summary = models.JSONField(
        _("summary of changes"), default=dict, help_text=_("The publisher's words, by language.")
    )
    changes = models.JSONField(_("changes"), default=list)
    snapshot = models.JSONField(_("content"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    # A change announced ahead: until this moment the previous version stays in force
    # (notices.in_force decides which version is current). Empty: in force when published.
    effective_at = models.DateTimeField(_("in force from"), null=True, blank=True)

    # The signed record of what was published (notices/chain.py, docs/verifying-notices.md).
    record = models.JSONField(_("record"), null=True, blank=True)
    record_hash = models.CharField(_("record hash"), max_length=64, blank=True)
    signature = models.CharField(_("signature"), max_length=100, blank=True)
    key_id = models.CharField(_("signing key"), max_length=32, blank=True)
    # The warnings (contradictions) the publisher acknowledged to publish this version:
    # code, text in the publisher's language, time and user (completeness.check_warnings).
    # Not part of the signed record (chain.build_record lists what it covers).
    acknowledged_warnings = models.JSONField(_("acknowledged warnings"), default=list, blank=True)

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        ordering = ["register", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["register", "number"], name="unique_version_number_per_register"
            )
        ]
        indexes = [
            # The versions announced ahead, by register: when a company's index next
            # changes by itself (notices.public.company_index), read without its history.
            models.Index(
                fields=["register", "effective_at"],
                condition=models.Q(effective_at__isnull=False),
                name="version_announced_ahead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.register} v{self.number}"

    @property
    def languages(self) -> list[str]:
        return list(self.snapshot["languages"])

    @property
    def in_force_from(self) -> datetime:
        """When this version comes (or came) into force."""
        return self.effective_at or self.published_at


class NoticeRendering(models.Model):
    """One language of a published version, rendered once at publishing time.

    Public requests serve these stored bytes as they are.
    """

    tenant_path = "version__register__controller"

    version = models.ForeignKey(
        NoticeVersion,
        on_delete=models.CASCADE,
        related_name="renderings",
        verbose_name=_("version"),
    )
    language = models.CharField(_("language"), max_length=12)
    html = models.TextField(_("page"))
    embed_html = models.TextField(_("embeddable page"))
    # The whole change log, stored again in every version published before it had
    # a model of its own (RegisterChangelog); empty since.
    changelog_html = models.TextField(_("change log page"), blank=True)
    json = models.TextField(_("JSON"))
    pdf = models.FileField(_("PDF"), upload_to="notices/", max_length=300)
    pdf_size = models.PositiveIntegerField(_("PDF size"))
    html_hash = models.CharField(max_length=64)
    pdf_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("rendering")
        verbose_name_plural = _("renderings")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "language"], name="unique_rendering_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.language})"


class RegisterChangelog(models.Model):
    """A register's change log in one language, as of its latest version.

    Built at each publish from every version's own entry (number, date, summary,
    change list) and replaced in the publishing transaction, so the change log is
    stored once per register and language instead of again in every version.
    The current change-log page and JSON serve these bytes as they are. Unlike a
    version's renderings, this is not immutable: the next publish replaces it.
    """

    tenant_path = "register__controller"

    register = models.ForeignKey(
        Register,
        on_delete=models.CASCADE,
        related_name="changelogs",
        verbose_name=_("register"),
    )
    language = models.CharField(_("language"), max_length=12, editable=False)
    version = models.PositiveIntegerField(_("version"), editable=False)
    published_at = models.DateTimeField(_("published"))
    html = models.TextField(_("change log page"), editable=False)
    json = models.TextField(_("JSON"), editable=False)
    html_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("change log")
        verbose_name_plural = _("change logs")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "language"], name="unique_changelog_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.register} ({self.language})"


class ChangelogPiece(models.Model):
    """One version's entry in its register's change log, as rendered in one language.

    Publishing renders only the new version's entry and joins the stored ones
    around the change log's frame (``notices.changelog``): rendering every entry
    again made each publish cost more the longer the history (issue 14). A piece
    is derived data, never served on its own and not part of a backup: it holds
    for the address, time zone and code it was rendered with (``key``); a piece of
    another key is rendered again and replaced.
    """

    tenant_path = "register__controller"

    register = models.ForeignKey(
        Register,
        on_delete=models.CASCADE,
        related_name="changelog_pieces",
        verbose_name=_("register"),
    )
    language = models.CharField(_("language"), max_length=12, editable=False)
    number = models.PositiveIntegerField(_("version"), editable=False)
    key = models.CharField(max_length=64, editable=False)
    html = models.TextField(editable=False)
    json = models.TextField(editable=False)

    class Meta:
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log entries")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "language", "number"], name="unique_changelog_piece"
            )
        ]

    def __str__(self) -> str:
        return f"{self.register} ({self.language}) {self.number}"
