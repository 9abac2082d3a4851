"""The public read path's database lookups: one hand-written SQL query per request.

A public address serves bytes stored at publishing time, so its cost should be
close to a static file's. Building the same lookup through the ORM (joins,
``.only()``, subqueries) and turning its row into four model instances took
about 1.3 ms of a 1.7 ms request; the SQL itself takes under 0.1 ms. Here each
lookup is one parameterised query run on ``connection.cursor()``, its row read
into a small record. Every request runs its query and sees the database as it
is, so a new version or an offline switch is served from the very next request
on; only the bytes of a rendering already served (which never change) are kept
by the process, so that the query need not send them again (``BodyMemo``).

Which version is a register's *current* one is decided in one place,
``current_version_sql``: every lookup (notice addresses, the earlier versions'
banner, the company index) joins through it. A version that comes into force at
a later date would only change that function.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from controllers.models import Controller

from . import languages
from .models import NoticeRendering, NoticeVersion, Register, RegisterChangelog

CONTROLLERS = Controller._meta.db_table
REGISTERS = Register._meta.db_table
VERSIONS = NoticeVersion._meta.db_table
RENDERINGS = NoticeRendering._meta.db_table
CHANGELOGS = RegisterChangelog._meta.db_table

# The SQL below is put together only from these table names, the column names
# here and in notices.languages, never from a request: every value is a parameter.
# The stored columns a public address may serve.
BODIES = {
    "html": "r.html",
    "embed_html": "r.embed_html",
    "changelog_html": "r.changelog_html",
    "json": "r.json",
    "pdf": "r.pdf",
}
# The languages a version is published in: one rendering per language.
_LANGUAGE_LIST = {
    "postgresql": "string_agg(language, ',')",
    "sqlite": "group_concat(language, ',')",
}


class Gone(Exception):
    """The register was taken offline by its publisher (answered 410)."""


# The database's clock, so that a version announced ahead becomes current at its moment
# with nothing running (``%%`` is a literal ``%`` in a query with parameters). On
# PostgreSQL the statement's own start, not the transaction's (CURRENT_TIMESTAMP): a
# version published earlier in the same transaction is in force. SQLite stores
# Django's datetimes as UTC text that sorts like this.
_NOW = {
    "postgresql": "statement_timestamp()",
    "sqlite": "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')",
}


def current_version_sql(register_id: str) -> str:
    """SQL for the id of the current version of the register whose id is ``register_id``.

    The rule of ``notices.in_force``, in SQL: the register's highest-numbered
    version in force now, i.e. published and with no ``effective_at`` still to
    come. With the register fixed, the (register, number) index yields it
    directly: only versions announced ahead and not yet in force are skipped.
    """
    now = _NOW[connection.vendor]
    return (
        f"(SELECT cv.id FROM {VERSIONS} cv WHERE cv.register_id = {register_id} "  # noqa: S608
        f"AND ((cv.effective_at IS NULL AND cv.published_at <= {now}) "
        f"OR cv.effective_at <= {now}) "
        "ORDER BY cv.number DESC LIMIT 1)"
    )


def coming_version_sql(register_id: str, current: str) -> str:
    """SQL for the id of the next version announced to come into force after ``current``."""
    now = _NOW[connection.vendor]
    return (
        f"(SELECT uv.id FROM {VERSIONS} uv WHERE uv.register_id = {register_id} "  # noqa: S608
        f"AND uv.number > {current} AND uv.effective_at > {now} "
        "ORDER BY uv.effective_at, uv.number LIMIT 1)"
    )


@dataclass(frozen=True, slots=True)
class StoredRendering:
    """One language of one version, with what its public addresses need to answer."""

    language: str
    html_hash: str
    pdf_hash: str
    # The stored column asked for, encoded (UTF-8): the page, or the PDF's file name.
    body: bytes
    pdf_size: int
    number: int
    published_at: datetime
    is_online: bool
    controller: str
    register: str
    embed_origins: str
    current_number: int
    current_published_at: datetime
    # The current version's languages; only looked up for an earlier version's banner.
    current_languages: tuple[str, ...]
    # The next version announced to come into force later (notices.in_force), if any.
    coming_number: int | None = None
    coming_at: datetime | None = None

    @property
    def is_current(self) -> bool:
        return self.number == self.current_number

    @property
    def embed_origin_list(self) -> list[str]:
        return [line.strip() for line in self.embed_origins.splitlines() if line.strip()]


def _aware(value: datetime | str) -> datetime:
    """A stored timestamp as an aware datetime (SQLite gives naive UTC or text)."""
    if isinstance(value, str):
        value = parse_datetime(value) or datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def fetch(sql: str, params: dict[str, object], *, many: bool = False) -> list[tuple]:
    """Run one public lookup through Django's cursor (counted, logged, errors wrapped).

    Three costs of a generic query are left out, none of which changes what is read:

    * Parameters are named (``%(name)s``): on SQLite, Django turns a query with
      positional ``%s`` into ``?`` with a regular expression over the whole text, a
      tenth of a public request; named ones are one ``%`` formatting.
    * On PostgreSQL, the connection's health check (``CONN_HEALTH_CHECKS``: a
      ``SELECT 1`` round trip before the first query of each request) is this
      query itself: if it fails on a connection kept from an earlier request and
      the connection is then found unusable, it is closed and the query runs once
      more on a new one, which is what the check would have done.
    * On PostgreSQL, with prepared statements enabled for the connection
      (``prepare_threshold``, settings ``DB_PREPARED_STATEMENTS``), the lookup is
      bound on the server and prepared after a few executions, so it is not
      planned again for every request. The ORM's cursors bind on the client and
      never prepare.
    """
    db = connection
    checked_here = (
        db.vendor == "postgresql"
        and db.connection is not None
        and db.health_check_enabled
        and not db.health_check_done
        and not db.in_atomic_block
    )
    if checked_here:
        db.health_check_done = True
    try:
        return _run(sql, params, many)
    except (OperationalError, InterfaceError):
        if not checked_here or db.is_usable():
            raise
        db.close()
        return _run(sql, params, many)


def _run(sql: str, params: dict[str, object], many: bool) -> list[tuple]:
    db = connection
    if db.vendor == "postgresql":
        db.ensure_connection()
        if db.connection.prepare_threshold is not None:
            from django.db.backends.postgresql.base import ServerBindingCursor

            # The driver connection's own cursor(), of the server-binding kind for
            # this one query: whatever wraps the connection (a pool, a test's
            # fault) sees the query as it sees the ORM's.
            driver = db.connection
            with db.wrap_database_errors:
                factory = driver.cursor_factory
                driver.cursor_factory = ServerBindingCursor
                try:
                    raw = driver.cursor()
                finally:
                    driver.cursor_factory = factory
            cursor = db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
            with cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if many else [cursor.fetchone()]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if many else [cursor.fetchone()]


@functools.cache
def _rendering_sql(vendor: str, earlier: bool, body: str) -> str:
    """The one query of ``find_rendering``, built once per process for each form.

    Parameters (``rendering_params``): the rendering id and HTML hash whose body
    this process already has for the address (``_BODIES``; the body is then not
    sent again), register slug, [version number,] language, company slug.
    """
    version = "v" if earlier else "cur"
    join_earlier = (
        f"JOIN {VERSIONS} v ON v.register_id = g.id AND v.number = %(number)s " if earlier else ""
    )
    current_languages = (
        "NULL"
        if not earlier
        else f"(SELECT {_LANGUAGE_LIST[vendor]} FROM {RENDERINGS} "  # noqa: S608
        "WHERE version_id = cur.id)"
    )
    return (
        "SELECT r.language, r.html_hash, r.pdf_hash, "  # noqa: S608
        "CASE WHEN r.id = %(known_id)s AND r.html_hash = %(known_hash)s "
        f"THEN NULL ELSE {BODIES[body]} END, "
        f"r.pdf_size, r.id, {version}.number, {version}.published_at, g.is_online, "
        "c.embed_origins, "
        f"cur.number, cur.published_at, {current_languages}, nx.number, nx.effective_at "
        f"FROM {CONTROLLERS} c "
        f"JOIN {REGISTERS} g ON g.controller_id = c.id AND g.slug = %(register)s "
        f"JOIN {VERSIONS} cur ON cur.id = {current_version_sql('g.id')} "
        f"LEFT JOIN {VERSIONS} nx ON nx.id = {coming_version_sql('g.id', 'cur.number')} "
        f"{join_earlier}"
        f"JOIN {RENDERINGS} r ON r.version_id = {version}.id AND r.language = %(lang)s "
        "WHERE c.slug = %(controller)s"
    )


def rendering_params(
    lang: str, controller: str, register: str, number: int | None, known: Remembered | None = None
) -> dict[str, object]:
    """The parameters of ``_rendering_sql``; ``known``: what this process has for the address."""
    params: dict[str, object] = {
        "known_id": known.id if known else 0,
        "known_hash": known.hash if known else "",
        "register": register,
        "lang": lang,
        "controller": controller,
    }
    if number is not None:
        params["number"] = number
    return params


def find_rendering(
    lang: str, controller: str, register: str, number: int | None, body: str
) -> StoredRendering:
    """The rendering an address asks for, in one query; 404 if not published, 410 if offline.

    The current addresses (``number`` None) serve the register's current version
    only: a language that version is not published in answers 404, even though
    its earlier versions stay at their own addresses. ``body`` names the stored
    column to read (``BODIES``); its bytes come from the process's memo when the
    rendering found is the one they were read from. The query runs every time;
    when it finds exactly what it found last time for this address (the same
    rendering, version in force, coming version, online switch and embed
    origins), the record built then is returned again.
    """
    address = (lang, controller, register, number, body)
    row, known = _lookup(
        address,
        _rendering_sql(connection.vendor, number is not None, body),
        lambda known: rendering_params(lang, controller, register, number, known),
        online=8,
    )
    if known is not None and row == known.row:
        return known.found
    stored = _body_of(row, 3, known)
    found = StoredRendering(
        language=row[0],
        html_hash=row[1],
        pdf_hash=row[2],
        body=stored,
        pdf_size=row[4],
        number=row[6],
        published_at=_aware(row[7]),
        is_online=bool(row[8]),
        controller=controller,
        register=register,
        embed_origins=row[9] or "",
        current_number=row[10],
        current_published_at=_aware(row[11]),
        current_languages=tuple(languages.ordered((row[12] or "").split(","))),
        coming_number=row[13],
        coming_at=_aware(row[14]) if row[14] else None,
    )
    # What the query answers when it does not send the body again: the key of the memo.
    _BODIES.put(address, Remembered(row[5], row[1], stored, (*row[:3], None, *row[4:]), found))
    return found


def _lookup(
    address: tuple,
    sql: str,
    params: Callable[[Remembered | None], dict[str, object]],
    *,
    online: int,
) -> tuple[tuple, Remembered | None]:
    """The row ``sql`` finds for ``address`` and what this process kept for it.

    404 without a row, 410 (``Gone``) when the row's ``online`` column is false.
    """
    known = _BODIES.get(address)
    row = fetch(sql, params(known))[0]
    if row is None:
        raise Http404(_("No published notice here."))
    if not row[online]:
        raise Gone
    return row, known


def _body_of(row: tuple, column: int, known: Remembered | None) -> bytes:
    """The body the row holds in ``column``, encoded; the kept bytes if it was not sent."""
    if row[column] is None and known is not None:
        return known.body
    return (row[column] or "").encode()


@dataclass(frozen=True, slots=True)
class StoredChangelog:
    """A register's stored change log in one language (``RegisterChangelog``)."""

    language: str
    html_hash: str
    published_at: datetime
    # The page or the JSON, encoded (UTF-8).
    body: bytes


CHANGELOG_BODIES = {"html": "l.html", "json": "l.json"}


@functools.cache
def changelog_sql(form: str) -> str:
    """The one query of ``find_changelog``; parameters as ``_rendering_sql``'s, no number."""
    return (
        "SELECT l.language, l.html_hash, "  # noqa: S608
        "CASE WHEN l.id = %(known_id)s AND l.html_hash = %(known_hash)s "
        f"THEN NULL ELSE {CHANGELOG_BODIES[form]} END, l.id, l.published_at, g.is_online "
        f"FROM {CONTROLLERS} c "
        f"JOIN {REGISTERS} g ON g.controller_id = c.id AND g.slug = %(register)s "
        f"JOIN {CHANGELOGS} l ON l.register_id = g.id AND l.language = %(lang)s "
        "WHERE c.slug = %(controller)s"
    )


def find_changelog(lang: str, controller: str, register: str, form: str) -> StoredChangelog:
    """The register's change log in ``lang`` as a page or JSON; one query, as ``find_rendering``.

    It exists only in the latest version's languages (replaced at each publish,
    ``notices.changelog``): 404 otherwise, 410 when the register is offline.
    """
    address = (lang, controller, register, "changelog", form)
    row, known = _lookup(
        address,
        changelog_sql(form),
        lambda known: rendering_params(lang, controller, register, None, known),
        online=5,
    )
    if known is not None and row == known.row:
        return known.found
    stored = _body_of(row, 2, known)
    found = StoredChangelog(row[0], row[1], _aware(row[4]), stored)
    _BODIES.put(address, Remembered(row[3], row[1], stored, (*row[:2], None, *row[3:]), found))
    return found


@dataclass(frozen=True, slots=True)
class Remembered:
    """What an address last served: the row's id and hash, its encoded body, the row
    as the query answers when it does not send the body again, and the record built."""

    id: int
    hash: str
    body: bytes
    row: tuple
    found: object


class BodyMemo:
    """The encoded bodies this process last served, by address, within a byte budget.

    A public response's body is tens of kilobytes of stored text: reading it
    from the database, decoding and encoding it again cost more than the rest of
    the request. A rendering never changes once published, so its bytes can be
    kept: each address remembers the rendering (id and HTML hash) it last served
    and its bytes, and the lookup's one query still runs every time and sends
    the body only if the rendering it finds is another one. Nothing here can be
    stale: which rendering is current, and whether it is online, is read from the
    database on every request. Least recently used entries go first.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.entries: OrderedDict[tuple, Remembered] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, address: tuple) -> Remembered | None:
        with self.lock:
            entry = self.entries.get(address)
            if entry is not None:
                self.entries.move_to_end(address)
            return entry

    def put(self, address: tuple, entry: Remembered) -> None:
        with self.lock:
            old = self.entries.pop(address, None)
            self.size -= len(old.body) if old else 0
            self.entries[address] = entry
            self.size += len(entry.body)
            while self.size > self.budget and self.entries:
                _address, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.body)


# At most this many bytes of bodies per process (a gunicorn worker), and of PDFs.
BODY_MEMO_BYTES = 32 * 1024 * 1024
_BODIES = BodyMemo(BODY_MEMO_BYTES)
_PDFS = BodyMemo(BODY_MEMO_BYTES)


def pdf_bytes(rendering: StoredRendering) -> bytes:
    """The bytes of the rendering's stored PDF (``rendering.body`` is its file name).

    Read once per process and kept (``_PDFS``, by file name and PDF hash): a
    rendering's PDF never changes, and which rendering an address serves is
    still looked up on every request.
    """
    name = rendering.body.decode()
    known = _PDFS.get((name,))
    if known is not None and known.hash == rendering.pdf_hash:
        return known.body
    with default_storage.open(name, "rb") as stored:
        content = stored.read()
    _PDFS.put((name,), Remembered(rendering.pdf_size, rendering.pdf_hash, content, (), None))
    return content


@dataclass(frozen=True, slots=True)
class CompanyIndex:
    """What a company's index page shows: the company and its online, published registers."""

    name: str
    slug: str
    brand_color: str
    logo: str
    # (register slug, its names by language, a language of its current version) rows.
    rows: tuple[tuple[str, tuple[str, ...], str], ...]


@functools.cache
def company_index_sql() -> str:
    """The one query of ``company_index``; parameter: the company's slug (``controller``)."""
    names = ", ".join(f"g.{column}" for column in languages.field_names("name"))
    now = _NOW[connection.vendor]
    next_in_force = (
        f"(SELECT min(uv.effective_at) FROM {REGISTERS} ug "  # noqa: S608
        f"JOIN {VERSIONS} uv ON uv.register_id = ug.id AND uv.effective_at > {now} "
        "WHERE ug.controller_id = c.id)"
    )
    return (
        f"SELECT c.name, c.brand_color, c.logo, {next_in_force}, "  # noqa: S608
        f"g.slug, r.language, {names} "
        f"FROM {CONTROLLERS} c "
        f"LEFT JOIN {REGISTERS} g ON g.controller_id = c.id AND g.is_online "
        f"LEFT JOIN {RENDERINGS} r ON r.version_id = {current_version_sql('g.id')} "
        "WHERE c.slug = %(controller)s ORDER BY g.slug, r.language"
    )


def company_index(controller: str) -> tuple[CompanyIndex, datetime | None]:
    """The company and each language of each online register's current version; one query.

    404 if there is no such company. A language only an earlier version had is
    not listed. Also when the next of the company's versions announced ahead comes
    into force (None: none is), when this answer changes by itself.
    """
    found = fetch(company_index_sql(), {"controller": controller}, many=True)
    if not found:
        raise Http404(_("No published notices here."))
    name, brand_color, logo, next_in_force = found[0][:4]
    rows = tuple((row[4], tuple(row[6:]), row[5]) for row in found if row[5] is not None)
    index = CompanyIndex(name, controller, brand_color or "", logo or "", rows)
    return index, _aware(next_in_force) if next_in_force else None


def published_registers(index: CompanyIndex, lang: str) -> tuple[dict[str, set[str]], dict]:
    """Each register's languages (of its current version) and its name in ``lang``.

    The name falls back to the first language that has one, then to the slug.
    """
    position = languages.codes().index(lang)
    published: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for slug, register_names, language in index.rows:
        published.setdefault(slug, set()).add(language)
        names[slug] = register_names[position] or next(
            (name for name in register_names if name), slug
        )
    return published, names


# --- Comparisons and feeds: what their kept bytes depend on, in one query -------------


@functools.cache
def pair_sql() -> str:
    """Versions ``old`` and ``new`` of a register, without their snapshots, and whether each
    publishes ``lang`` (the comparison's one query when its page is kept)."""
    return (
        "SELECT v.id, v.number, v.published_at, v.content_hash, g.is_online, g.id, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {RENDERINGS} r WHERE r.version_id = v.id "
        "AND r.language = %(lang)s) "
        f"FROM {CONTROLLERS} c "
        f"JOIN {REGISTERS} g ON g.controller_id = c.id AND g.slug = %(register)s "
        f"JOIN {VERSIONS} v ON v.register_id = g.id AND v.number IN (%(old)s, %(new)s) "
        "WHERE c.slug = %(controller)s ORDER BY v.number"
    )


@dataclass(frozen=True, slots=True)
class VersionRow:
    """What a comparison needs of a version besides its snapshot."""

    pk: int
    number: int
    published_at: datetime
    content_hash: str
    register_id: int


def version_pair(
    lang: str, controller: str, register: str, old: int, new: int
) -> tuple[VersionRow, VersionRow]:
    """Versions ``old`` < ``new``; 404 unless both exist and publish ``lang``, 410 offline."""
    params = {"lang": lang, "controller": controller, "register": register, "old": old}
    rows = fetch(pair_sql(), params | {"new": new}, many=True)
    if len(rows) != 2 or not all(row[6] for row in rows):
        raise Http404(_("No published notice here."))
    if not rows[0][4]:
        raise Gone
    first, second = (VersionRow(row[0], row[1], _aware(row[2]), row[3], row[5]) for row in rows)
    return first, second


# Versions published in a language: their count, newest id and first and last dates say
# which versions a feed lists (published versions never change; new ones get new ids).
_IN_LANGUAGE = (
    f"LEFT JOIN {VERSIONS} v ON v.register_id = g.id AND EXISTS ("  # noqa: S608
    f"SELECT 1 FROM {RENDERINGS} r WHERE r.version_id = v.id AND r.language = %(lang)s) "
)
_VERSIONS_SEEN = "count(v.id), max(v.id), max(v.published_at), min(v.published_at)"
_NAME_LIST = {
    "postgresql": "string_agg(DISTINCT {}, ',' ORDER BY {})",
    "sqlite": "group_concat(DISTINCT {})",
}


@functools.cache
def feed_signature_sql(vendor: str, company: bool) -> str:
    """One row that changes whenever the notice's (or company's) feed in ``lang`` would.

    A notice's feed: its online switch, its names and the versions published in
    the language. A company's: its name, and each online register's id and names
    with the versions published in the language.
    """
    names = [f"g.{column}" for column in languages.field_names("name")]
    if not company:
        return (
            f"SELECT g.is_online, {_VERSIONS_SEEN}, {', '.join(names)} "  # noqa: S608
            f"FROM {CONTROLLERS} c "
            f"JOIN {REGISTERS} g ON g.controller_id = c.id AND g.slug = %(register)s "
            f"{_IN_LANGUAGE}"
            f"WHERE c.slug = %(controller)s GROUP BY g.id, g.is_online, {', '.join(names)}"
        )
    joined = " || '|' || ".join(["g.id", *(f"coalesce({name}, '')" for name in names)])
    register_names = _NAME_LIST[vendor].format(joined, joined)
    return (
        f"SELECT c.name, {_VERSIONS_SEEN}, {register_names} "  # noqa: S608
        f"FROM {CONTROLLERS} c "
        f"LEFT JOIN {REGISTERS} g ON g.controller_id = c.id AND g.is_online "
        f"{_IN_LANGUAGE}"
        "WHERE c.slug = %(controller)s GROUP BY c.id, c.name"
    )


def feed_signature(lang: str, controller: str, register: str | None) -> tuple:
    """The feed's signature row (``feed_signature_sql``); 404 without versions, 410 offline."""
    params = {"lang": lang, "controller": controller}
    if register is not None:
        params["register"] = register
    row = fetch(feed_signature_sql(connection.vendor, register is None), params)[0]
    if row is None or not row[1]:
        raise Http404(
            _("No published notice here.") if register else _("No published notices here.")
        )
    if register is not None and not row[0]:
        raise Gone
    return tuple(row)
