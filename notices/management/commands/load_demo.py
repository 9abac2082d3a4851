"""``manage.py load_demo``: the fictional demo companies, their demo logins and versions.

The companies are data, not code: one file per company in ``notices/demo/companies/``,
in the backup format of ``docs/backup-format.md`` without published versions. Each is
imported through the backup's import service, as ``import_controller --replace`` would,
so every field passes the same model validation as in the admin. A second run replaces
each demo company, with whatever was published for it, by a fresh copy of its file, so
the result is always the same.

A backup never holds a password: the users the files name (each company's editor and
publisher) get their printed demo passwords here, and so does the superuser ``admin``.
``notices/demo/versions.json`` says when the demo versions are published, with what
summary, and what changes in the draft before each; the last is published for one
company only, announced ahead: it comes into force a month after loading.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    PositiveInt,
    ValidationError,
)

from controllers.models import Controller, Membership
from notices import backup, languages, services
from notices.in_force import start_of_day
from notices.models import NoticeVersion, Register, SecurityMeasure
from notices.templatetags.notice_tags import notice_date

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
COMPANY_DIR = DEMO_DIR / "companies"
VERSIONS_FILE = DEMO_DIR / "versions.json"

SUPERUSER_NAME = "admin"

# Where `make run` serves the site.
DEV_SERVER = "http://127.0.0.1:8000"


def demo_password(name: str) -> str:
    """The fixed, printed password of a demo login: ``demo-<name>-2026``."""
    return f"demo-{name}-2026"


def company_files() -> list[Path]:
    """The demo companies' backup files, in file-name order."""
    return sorted(COMPANY_DIR.glob("*.json"))


# --- The published versions (notices/demo/versions.json) ----------------------


def _language_texts(value: dict[str, str]) -> dict[str, str]:
    if not languages.is_text(value):
        raise ValueError(f"expected texts keyed by the languages {', '.join(languages.codes())}")
    return value


# A text per language, keyed by configured language codes (settings.LANGUAGES).
Texts = Annotated[dict[str, str], AfterValidator(_language_texts)]


class AddedSecurityMeasure(BaseModel):
    """A security measure the draft gains before a version is published."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    description: Texts


class DemoVersion(BaseModel):
    """One published version of the demo registers: when, its summary, what changed.

    ``published_at`` None publishes it when the demo is loaded; ``only`` limits it to
    those companies (slugs); ``effective_after_days`` announces it ahead: it comes
    into force that many days after the demo is loaded.
    """

    model_config = ConfigDict(extra="forbid")

    published_at: AwareDatetime | None
    summary: Texts
    added_security_measures: list[AddedSecurityMeasure]
    only: list[str] = []
    effective_after_days: PositiveInt | None = None

    def effective_at(self) -> datetime | None:
        if self.effective_after_days is None:
            return None
        return start_of_day(timezone.localdate() + timedelta(days=self.effective_after_days))


class DemoVersions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    versions: list[DemoVersion]


def read_versions(path: Path = VERSIONS_FILE) -> list[DemoVersion]:
    """The demo's versions, or CommandError naming the file and the place in it."""
    try:
        return DemoVersions.model_validate_json(path.read_bytes()).versions
    except ValidationError as error:
        raise CommandError(f"{path.name}: {error}") from error


# --- Loading ------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    """A demo login as printed for the person trying the service."""

    username: str
    password: str
    role: str  # a Membership.Role value, or "superuser"
    company: str = ""  # empty for the superuser, who sees every company


@dataclass
class DemoResult:
    """What ``load_demo`` imported: the companies, and the logins it set."""

    controllers: list[Controller] = field(default_factory=list)
    logins: list[Login] = field(default_factory=list)

    @property
    def registers(self) -> list[Register]:
        return [
            register
            for controller in self.controllers
            for register in controller.registers.order_by("slug")
        ]


def _identity(raw: bytes) -> tuple[str, str] | None:
    """A company file's address name and business ID, or None if the importer will refuse it."""
    try:
        company = json.loads(raw)["controller"]
        return str(company["slug"]), str(company["business_id"])
    except (ValueError, KeyError, TypeError):
        return None


def load_demo(files: list[Path] | None = None) -> DemoResult:
    """Import the demo companies, replacing earlier copies, and set the demo passwords.

    Runs in one transaction: a file the importer refuses changes nothing. Refuses
    with CommandError, also before changing anything, when a company that is not
    the demo holds a demo company's address name or business ID: a demo company is
    recognised by the two together, and only it is replaced.
    """
    files = company_files() if files is None else files
    companies = [(path, path.read_bytes()) for path in files]
    with transaction.atomic():
        for _path, raw in companies:
            _check_no_conflict(_identity(raw))
        result = DemoResult(logins=[_ensure_superuser()])
        for path, raw in companies:
            try:
                controller = backup.import_controller(raw, replace=True)
            except backup.BackupError as error:
                raise CommandError(f"{path.name}: {error}") from error
            result.controllers.append(controller)
            result.logins += _set_member_passwords(controller)
    return result


def _check_no_conflict(identity: tuple[str, str] | None) -> None:
    if identity is None:
        return
    slug, business_id = identity
    same_slug = Controller.objects.filter(slug=slug).exclude(business_id=business_id)
    same_id = Controller.objects.filter(business_id=business_id).exclude(slug=slug)
    if same_slug.exists() or same_id.exists():
        raise CommandError(
            _(
                "A company that is not part of the demo already uses the address name "
                "“%(slug)s” or the business ID %(business_id)s. Nothing was changed."
            )
            % {"slug": slug, "business_id": business_id}
        )


def _set_password(user: AbstractUser, password: str, *, superuser: bool = False) -> None:
    """Make ``user`` an active staff login with the demo password (a backup has none)."""
    user.is_active = True
    user.is_staff = True
    user.is_superuser = superuser
    user.set_password(password)
    user.save()


def _ensure_superuser() -> Login:
    password = demo_password(SUPERUSER_NAME)
    user, _created = get_user_model().objects.get_or_create(
        username=SUPERUSER_NAME, defaults={"email": f"{SUPERUSER_NAME}@example.com"}
    )
    _set_password(user, password, superuser=True)
    return Login(username=SUPERUSER_NAME, password=password, role="superuser")


def _set_member_passwords(controller: Controller) -> list[Login]:
    """The demo password for every member the company's file names, editors first."""
    password = demo_password(controller.slug)
    roles = list(Membership.Role.values)
    memberships = sorted(
        controller.memberships.select_related("user"),
        key=lambda m: (roles.index(m.role), m.user.username),
    )
    logins = []
    for membership in memberships:
        _set_password(membership.user, password)
        logins.append(
            Login(
                username=membership.user.username,
                password=password,
                role=membership.role,
                company=controller.name,
            )
        )
    return logins


# --- Publishing -----------------------------------------------------------------------


def publish_demo(result: DemoResult, versions: list[DemoVersion]) -> list[NoticeVersion]:
    """Publish every demo register once per entry of ``versions``, by its company's publisher.

    Before each version the draft gains that entry's security measures, so the
    change log shows real, dated changes. Each version's summary is given in the
    register's own languages.
    """
    published: list[NoticeVersion] = []
    for controller in result.controllers:
        publisher = (
            controller.memberships.filter(role=Membership.Role.PUBLISHER)
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        if publisher is None:
            raise CommandError(f"{controller.slug}: no publisher")
        for register in controller.registers.order_by("slug"):
            for version in versions:
                if version.only and controller.slug not in version.only:
                    continue
                for measure in version.added_security_measures:
                    _add_security_measure(register, measure)
                summary = {lang: version.summary.get(lang, "") for lang in register.languages}
                try:
                    published.append(
                        services.notice_publish(
                            register=register,
                            user=publisher.user,
                            summary=summary,
                            published_at=version.published_at,
                            effective_at=version.effective_at(),
                        )
                    )
                except services.PublishRefused as refused:
                    raise CommandError(f"{controller.slug}/{register.slug}: {refused}") from refused
    return published


def _add_security_measure(register: Register, measure: AddedSecurityMeasure) -> SecurityMeasure:
    last = register.security_measures.order_by("-order").values_list("order", flat=True).first()
    added = SecurityMeasure(
        register=register,
        kind=measure.kind,
        order=(last or 0) + 1,
        **{f"description_{lang}": text for lang, text in measure.description.items()},
    )
    # The untranslated column takes the default language's text, as in the admin.
    with translation.override(languages.default()):
        added.full_clean()
        added.save()
    return added


# --- The command ----------------------------------------------------------------------


def summary_lines(result: DemoResult) -> list[str]:
    """What the command prints after loading: the logins and where to use them."""
    roles = {
        "superuser": _("superuser"),
        "editor": _("editor"),
        "publisher": _("publisher"),
    }
    registers = result.registers
    lines = [
        _("Demo data loaded. Companies: %(companies)d, registers: %(registers)d.")
        % {"companies": len(result.controllers), "registers": len(registers)},
        "",
        _("Logins (username / password / role / company):"),
    ]
    for login in result.logins:
        company = login.company or _("all companies")
        lines.append(
            f"  {login.username} / {login.password} / {roles.get(login.role, login.role)}"
            f" / {company}"
        )
    lines += ["", _("Admin: %(url)s") % {"url": DEV_SERVER + reverse("admin:index")}]
    published = [r for r in registers if r.versions.exists()]
    if published:
        lines += ["", _("Published notices:")]
        for register in published:
            for language in register.languages:
                url = reverse(
                    "notices:detail",
                    kwargs={
                        "lang": language,
                        "controller": register.controller.slug,
                        "register": register.slug,
                    },
                )
                lines.append(f"  {DEV_SERVER}{url}")
    return lines + _comparison_lines(published) + _announced_lines(published)


def _announced_lines(registers: list[Register]) -> list[str]:
    """Where the demo shows a change announced ahead: the version and its day."""
    lines = []
    for register in registers:
        coming = register.versions.filter(effective_at__gt=timezone.now()).order_by("number")
        for version in coming:
            url = reverse(
                "notices:version",
                kwargs={
                    "lang": register.languages[0],
                    "controller": register.controller.slug,
                    "register": register.slug,
                    "number": version.number,
                },
            )
            lines += [
                "",
                _("A change announced ahead: version %(number)d comes into force on %(date)s:")
                % {"number": version.number, "date": notice_date(version.effective_at)},
                f"  {DEV_SERVER}{url}",
            ]
    return lines


def _comparison_lines(registers: list[Register]) -> list[str]:
    """Where to see what changed between each register's last two versions."""
    lines = []
    for register in registers:
        numbers = list(register.versions.order_by("-number").values_list("number", flat=True)[:2])
        if len(numbers) < 2:
            continue
        kwargs = {
            "lang": languages.ordered(register.languages)[0],
            "controller": register.controller.slug,
            "register": register.slug,
        }
        url = reverse("notices:compare", kwargs={**kwargs, "old": numbers[1], "new": numbers[0]})
        lines.append(f"  {DEV_SERVER}{url}")
    if not lines:
        return []
    return ["", _("What changed between the last two versions:"), *lines]


class Command(BaseCommand):
    help = "Load the fictional demo companies from their files, with demo logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Load the demo data even when DEBUG is off."),
        )
        parser.add_argument(
            "--no-publish",
            action="store_false",
            dest="publish",
            help=_("Do not publish the demo notices."),
        )

    def handle(self, *args: Any, force: bool = False, publish: bool = True, **options: Any) -> None:
        # The demo logins have published passwords: keep them out of production.
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "Refusing to load demo data with DEBUG off: it creates users whose "
                    "passwords are public. Use --force to load it anyway."
                )
            )
        versions = read_versions() if publish else []
        result = load_demo()
        if publish:
            publish_demo(result, versions)
        for line in summary_lines(result):
            self.stdout.write(line)
