"""``manage.py bench_scale --companies N --force``: grow the database to N companies, cheaply.

The admin at scale is measured on 1,000 companies with 3 registers and 3
published versions each (3,000 registers, 9,000 versions). Publishing that
many notices would render 9,000 PDFs; restoring backups (``bench_seed``) would
take as long. Here nothing is rendered and nothing is validated: one demo
company (``--source``, default the first with a published register) is copied
row for row with ``bulk_create``, 100 companies per transaction:

- the company itself (new name, address name and a business ID the model's
  validators accept), its contact persons and processors, and one publisher
  login per copy (``bench-publisher-<slug>``, no usable password) with its
  membership;
- ``--registers`` copies of the source's latest published register with every
  part of it (``notices.parts.PARTS``, in that order, foreign keys remapped,
  many-to-many rows too);
- ``--versions`` versions of each copied register: the source's latest
  version's snapshot with the copy's company and register put in, its change
  list and summary, and its content hash recomputed;
- each version's renderings copied inside the database (``INSERT ... SELECT``,
  so the page, embed, change log and JSON texts never pass through Python).
  They keep the source version's texts, and their ``pdf`` names the source
  version's stored PDF file: every copy shares that one file in MEDIA_ROOT, no
  PDF is rendered or copied, and its size and hash stay true. A copy's public
  page therefore shows the demo company's text: the copies are there for their
  number, not their words;
- the source company's audit events, pointing at the copy's objects.

Then ``ANALYZE`` on PostgreSQL, so the planner knows the tables' new sizes
(a bulk load leaves the statistics of the small database until autovacuum
runs). The database is grown, never shrunk: companies already there count.
"""

from __future__ import annotations

import copy
import time
from argparse import ArgumentParser
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from bench.management.base import JsonResultCommand, valid_business_ids
from controllers.models import AuditEvent, ContactPerson, Controller, Membership
from notices.models import NoticeRendering, NoticeVersion, Processor, Register
from notices.parts import PARTS
from notices.public_cache import changed
from notices.snapshot import content_hash

BATCH_COMPANIES = 100
# Where the copies' business IDs start (the demo's are 9000001-…, bench_seed's 8100000-…).
FIRST_BUSINESS_NUMBER = 7_000_000
MAX_COMPANIES = 20_000

# Old primary key -> new primary key, by model, for one copied company or register.
Maps = dict[type[models.Model], dict[Any, Any]]


@dataclass
class Source:
    """The demo company copied, with the rows that every copy repeats."""

    controller: Controller
    register: Register
    version: NoticeVersion
    rows: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)
    m2m: dict[Any, list[models.Model]] = field(default_factory=dict)
    events: list[AuditEvent] = field(default_factory=list)


def load_source(slug: str | None) -> Source:
    """The company to copy and its latest published register's rows."""
    registers = Register.objects.filter(versions__isnull=False).select_related("controller")
    if slug:
        registers = registers.filter(controller__slug=slug)
    register = registers.order_by("controller__slug", "pk").first()
    if register is None:
        raise CommandError("No company has a published register: did load_demo run?")
    source = Source(
        controller=register.controller,
        register=register,
        version=register.versions.order_by("-number").first(),
    )
    for model in (ContactPerson, Processor):
        source.rows[model] = list(model.objects.filter(controller=source.controller).order_by("pk"))
    # The register's own relations (its legal bases) too: each copy is the same register.
    load_m2m(source, Register, [register])
    for part in PARTS:
        rows = list(part.model.objects.filter(register=register).order_by("pk"))
        source.rows[part.model] = rows
        load_m2m(source, part.model, rows)
    source.events = list(AuditEvent.objects.filter(controller=source.controller).order_by("pk"))
    return source


def load_m2m(source: Source, model: type[models.Model], rows: list[models.Model]) -> None:
    """The rows of ``model``'s automatic many-to-many tables that ``rows`` have."""
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        if through._meta.auto_created:
            column = m2m.m2m_field_name()
            source.m2m[m2m] = list(
                through.objects.filter(**{f"{column}__in": [r.pk for r in rows]})
            )


def clone(row: models.Model, maps: Maps, **values: Any) -> models.Model:
    """A copy of ``row`` without its key, its foreign keys pointed at the copies in ``maps``."""
    new = copy.copy(row)
    new._state = models.base.ModelState()
    new.pk = None
    for f in row._meta.concrete_fields:
        if f.is_relation and f.related_model in maps:
            old = getattr(row, f.attname)
            if old is not None:
                setattr(new, f.attname, maps[f.related_model][old])
    for name, value in values.items():
        setattr(new, name, value)
    return new


def copy_rows(model: type[models.Model], rows: list[models.Model], units: list[Maps]) -> None:
    """Copy ``rows`` once for each unit, recording old -> new keys in the unit's maps."""
    made = [(unit, row, clone(row, unit)) for unit in units for row in rows]
    model.objects.bulk_create([new for _unit, _row, new in made], batch_size=500)
    for unit, row, new in made:
        unit.setdefault(model, {})[row.pk] = new.pk


def copy_m2m(m2m: Any, rows: list[models.Model], units: list[Maps]) -> None:
    """Copy the rows of an automatic many-to-many table once for each unit."""
    through = m2m.remote_field.through
    own, other = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    own_model, other_model = m2m.model, m2m.related_model
    new_rows = []
    for unit in units:
        for row in rows:
            target = getattr(row, f"{other}_id")
            new_rows.append(
                through(
                    **{
                        f"{own}_id": unit[own_model][getattr(row, f"{own}_id")],
                        f"{other}_id": unit.get(other_model, {}).get(target, target),
                    }
                )
            )
    through.objects.bulk_create(new_rows, batch_size=1000)


def business_ids(after: int) -> Iterator[str]:
    """Unused business IDs that the model's own validators accept."""
    used = set(Controller.objects.values_list("business_id", flat=True))
    for candidate, _number in valid_business_ids(after, 10 * MAX_COMPANIES):
        if candidate not in used:
            yield candidate


def adjusted_snapshot(source: Source, company: Controller, register: Register) -> dict[str, Any]:
    """The source version's snapshot naming the copy's company and register.

    A shallow copy: the parts' lists are shared between copies, which only read them.
    """
    snapshot = source.version.snapshot
    return {
        **snapshot,
        "controller": {
            **snapshot["controller"],
            "name": company.name,
            "slug": company.slug,
            "business_id": company.business_id,
        },
        "register": {**snapshot["register"], "id": register.pk, "slug": register.slug},
    }


def copy_users(source: Source, companies: list[Controller], units: list[Maps]) -> list[Any]:
    """One publisher per copied company, standing in for the source's members."""
    user_model = get_user_model()
    users = [
        user_model(
            username=f"bench-publisher-{company.slug}",
            email=f"publisher@{company.slug}.example",
            password=make_password(None),
            is_staff=True,
        )
        for company in companies
    ]
    user_model.objects.bulk_create(users)
    Membership.objects.bulk_create(
        Membership(user=user, controller=company, role=Membership.Role.PUBLISHER)
        for user, company in zip(users, companies, strict=True)
    )
    members = list(
        Membership.objects.filter(controller=source.controller).values_list("user_id", flat=True)
    )
    for unit, user in zip(units, users, strict=True):
        unit[user_model] = dict.fromkeys(members, user.pk)
    return users


def copy_registers(
    source: Source, units: list[Maps], count: int
) -> tuple[list[Maps], list[Register]]:
    """``count`` copies of the source register per company, with every part; their maps."""
    register_units, registers = [], []
    for unit in units:
        for k in range(count):
            register_unit = dict(unit)
            slug = source.register.slug if k == 0 else f"{source.register.slug}-{k + 1}"
            registers.append(clone(source.register, register_unit, slug=slug))
            register_units.append(register_unit)
    Register.objects.bulk_create(registers, batch_size=500)
    for register_unit, register in zip(register_units, registers, strict=True):
        register_unit[Register] = {source.register.pk: register.pk}
    for part in PARTS:
        copy_rows(part.model, source.rows[part.model], register_units)
    for m2m, rows in source.m2m.items():
        copy_m2m(m2m, rows, register_units)
    return register_units, registers


def copy_versions(
    source: Source, register_units: list[Maps], registers: list[Register], count: int
) -> list[int]:
    """``count`` versions of each copied register, a week apart; their keys."""
    companies = {
        c.pk: c for c in Controller.objects.filter(pk__in={r.controller_id for r in registers})
    }
    user_model = get_user_model()
    versions, now = [], timezone.now()
    for unit, register in zip(register_units, registers, strict=True):
        snapshot = adjusted_snapshot(source, companies[register.controller_id], register)
        digest = content_hash(snapshot)
        publisher = next(iter(unit[user_model].values()), None)
        for number in range(1, count + 1):
            versions.append(
                clone(
                    source.version,
                    unit,
                    number=number,
                    published_at=now - timedelta(days=7 * (count - number)),
                    published_by_id=publisher,
                    snapshot=snapshot,
                    content_hash=digest,
                )
            )
    NoticeVersion.objects.bulk_create(versions, batch_size=200)
    return [v.pk for v in versions]


def copy_renderings(source: Source, version_ids: list[int]) -> None:
    """The source version's renderings for each new version, copied inside the database."""
    table = NoticeRendering._meta.db_table
    columns = [
        f.column for f in NoticeRendering._meta.concrete_fields if f.name not in {"id", "version"}
    ]
    quote = connection.ops.quote_name
    listed = ", ".join(quote(c) for c in columns)
    chosen = ", ".join(f"r.{quote(c)}" for c in columns)
    versions = quote(NoticeVersion._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(version_ids), 500):
            chunk = version_ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {quote(table)} ({quote('version_id')}, {listed}) "  # noqa: S608 (names from the model, values bound)
                f"SELECT v.id, {chosen} FROM {versions} v, {quote(table)} r "
                f"WHERE r.version_id = %s AND v.id IN ({marks})",
                [source.version.pk, *chunk],
            )


def copy_events(source: Source, units: list[Maps], register_units: list[Maps]) -> None:
    """The source company's audit events for each copy, pointing at the copy's objects."""
    per_company = len(register_units) // len(units)
    events = []
    for i, unit in enumerate(units):
        maps = {**unit, **register_units[i * per_company]}
        for event in source.events:
            new = clone(event, maps)
            model = (
                ContentType.objects.get_for_id(event.content_type_id).model_class()
                if event.content_type_id
                else None
            )
            if model in maps and event.object_id.isdigit():
                new.object_id = str(maps[model].get(int(event.object_id), event.object_id))
            events.append(new)
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def copy_companies(
    source: Source, numbers: list[int], ids: Iterator[str], registers: int, versions: int
) -> None:
    """One batch of copies, in one transaction."""
    base = source.controller
    with transaction.atomic():
        companies = [
            clone(base, {}, name=f"{base.name} {n}", slug=f"{base.slug}-{n}", business_id=next(ids))
            for n in numbers
        ]
        Controller.objects.bulk_create(companies)
        units: list[Maps] = [{Controller: {base.pk: company.pk}} for company in companies]
        for model in (ContactPerson, Processor):
            copy_rows(model, source.rows[model], units)
        copy_users(source, companies, units)
        register_units, copied = copy_registers(source, units, registers)
        copy_renderings(source, copy_versions(source, register_units, copied, versions))
        copy_events(source, units, register_units)


def free_numbers(base: str, needed: int) -> list[int]:
    """``needed`` numbers n for which the address name ``<base>-<n>`` is free."""
    used = set(Controller.objects.values_list("slug", flat=True))
    numbers, n = [], 1
    while len(numbers) < needed:
        if f"{base}-{n}" not in used:
            numbers.append(n)
        n += 1
    return numbers


def analyze() -> float:
    """ANALYZE on PostgreSQL (fresh statistics after the bulk load); its seconds."""
    if connection.vendor != "postgresql":
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def sizes() -> dict[str, int]:
    return {
        "companies": Controller.objects.count(),
        "registers": Register.objects.count(),
        "versions": NoticeVersion.objects.count(),
        "renderings": NoticeRendering.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


class Command(JsonResultCommand):
    help = (
        "Grow the database to N companies by bulk copies of a demo company (registers, "
        "parts, versions, renderings sharing its stored PDFs), then ANALYZE."
    )
    writes_data = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--companies", type=int, default=1000, help="companies in all")
        parser.add_argument("--registers", type=int, default=3, help="registers per copy")
        parser.add_argument("--versions", type=int, default=3, help="versions per register")
        parser.add_argument("--source", help="address name of the company to copy")

    def handle(
        self, *args: Any, companies: int, registers: int, versions: int, **options: Any
    ) -> None:
        if not (0 < companies <= MAX_COMPANIES) or registers < 1 or versions < 1:
            raise CommandError(f"--companies 1-{MAX_COMPANIES}, --registers and --versions >= 1.")
        started = time.perf_counter()
        before = sizes()
        source = load_source(options["source"])
        numbers = free_numbers(source.controller.slug, max(0, companies - before["companies"]))
        ids = business_ids(FIRST_BUSINESS_NUMBER)
        for start in range(0, len(numbers), BATCH_COMPANIES):
            copy_companies(
                source, numbers[start : start + BATCH_COMPANIES], ids, registers, versions
            )
        copied_s = time.perf_counter() - started
        changed()  # bulk rows send no signals (notices.public_cache)
        analyze_s = analyze()
        self.write_result(
            {
                "source": {
                    "company": source.controller.slug,
                    "register": source.register.slug,
                    "version": source.version.number,
                },
                "database": connection.vendor,
                "copies": len(numbers),
                "registers_per_copy": registers,
                "versions_per_register": versions,
                "before": before,
                "after": sizes(),
                "copy_s": copied_s,
                "analyze_s": analyze_s,
                "total_s": time.perf_counter() - started,
                "pdf": "shared: each copied rendering names its source version's stored PDF file",
            },
            options["json_path"],
        )
