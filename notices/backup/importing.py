"""Writing a checked backup into the database: one transaction, the models' own rules.

Every object is built from its ``columns`` and saved only after its model's
``full_clean()``: field validators (lengths, characters, choices, slugs,
emails), the model's ``clean()`` and its unique constraints, exactly as in
the admin. If anything fails, the transaction is rolled back and every file
the import stored is removed again, so a refused file changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, models, transaction
from django.db.models.deletion import ProtectedError
from django.utils import translation
from django.utils.translation import gettext as _

from controllers.audit import ids_with_history
from controllers.models import ContactPerson, Controller, Membership

from .. import chain, languages, public_cache
from ..changelog import changelog_rebuild
from ..models import NoticeRendering, NoticeVersion, Processor, Register
from ..parts import translated_fields
from ..services import pdf_storage_name
from . import columns, errors
from .archive import Archive
from .columns import Kind, Layout
from .errors import BackupError
from .reading import Backup, read
from .schema import ARCHIVE_VERSION, value


@dataclass
class ImportResult:
    """What an import did, for the command's report."""

    controller: Controller
    replaced: bool = False
    registers: int = 0
    versions: int = 0
    renderings: int = 0
    files_stored: int = 0
    files_reused: int = 0
    created_users: list[str] = field(default_factory=list)
    existing_members: list[str] = field(default_factory=list)
    email_differs: list[str] = field(default_factory=list)
    new_ids: int = 0
    logo_renamed_from: str = ""
    # Versions from a file written before signed records: recorded now, unsigned.
    unsigned: int = 0


def controller_import(*, data: dict[str, Any] | Archive, replace: bool = False) -> ImportResult:
    """Restore the backup ``data`` (as parsed by ``backup_loads``, or an open archive).

    Checks everything that can be checked without writing first (``reading``);
    an archive's versions are then read again, one at a time, to be written.
    Then, in one transaction: with ``replace``, deletes the existing controller's
    registers (with their versions), processors, contact persons and memberships
    and updates the controller itself in place; creates the controller, its
    objects, missing users (inactive, without a usable password), memberships,
    versions and renderings, each after its model's ``full_clean()``, and stores
    the logo and PDFs in default storage. Objects keep their ids where those are
    free: no row has the id and no other controller's audit event names it. If
    anything fails, nothing is changed and the files stored so far are
    removed. Raises BackupError with a translated message and the place in the file.
    """
    backup = read(data)
    existing = _existing_controller(backup.file.controller, replace=replace)
    writer = _Writer(backup)
    try:
        # The untranslated column of a translated field takes the default language's
        # value, as in the admin.
        with (
            transaction.atomic(),
            translation.override(languages.default()),
            public_cache.changes_batched(),
        ):
            return writer.run(existing)
    except BaseException as error:
        writer.remove_stored()
        refusal = _refusal(error, writer.path)
        if refusal is None:
            raise
        raise refusal from error


def _refusal(error: BaseException, path: str) -> BackupError | None:
    """The BackupError to raise for a database error of the writes (None: raise as it is)."""
    if isinstance(error, ProtectedError):
        return BackupError(
            _(
                "The existing controller's data cannot be deleted because other records "
                "refer to it (%(error)s). Nothing was changed."
            )
            % {"error": error.args[0] if error.args else error},
            code="protected",
        )
    if isinstance(error, DatabaseError):
        return BackupError(
            _("The import failed and nothing was changed: %(error)s") % {"error": error},
            code="database",
            path=path,
        )
    return None


def _existing_controller(entry: Any, *, replace: bool) -> Controller | None:
    """The controller this file would replace, or BackupError if it may not."""
    slug, business_id = entry.slug, entry.business_id
    same = models.Q(slug=slug)
    if business_id:  # a controller without a business ID is known by its address name only
        same |= models.Q(business_id=business_id)
    found = {c.pk: c for c in Controller.objects.filter(same)}
    if len(found) > 1:
        raise BackupError(
            _(
                "The address name “%(slug)s” and the business ID %(business_id)s belong to two "
                "different controllers in this database. Nothing was changed."
            )
            % {"slug": slug, "business_id": business_id},
            code="conflict",
        )
    existing = next(iter(found.values()), None)
    if existing is not None and not replace:
        raise BackupError(
            _(
                "A controller with the address name “%(slug)s” or the business ID "
                "%(business_id)s already exists. Nothing was changed; use --replace to "
                "replace it with the backup."
            )
            % {"slug": slug, "business_id": business_id},
            code="exists",
        )
    return existing


def _full_clean(instance: models.Model, entry: Any, layout: Layout) -> None:
    """The model's own rules, as the admin applies them.

    The untranslated column of a translated field is left out (the admin does not
    show it; each language's column is checked). A JSON field left at its empty
    default is valid (a first version has no changes), though ``blank`` says not.
    """
    exclude = set(translated_fields(layout.model))
    for column in columns.columns(layout):
        found = value(entry, column.key)
        empty = found in column.field.empty_values and found == column.field.get_default()
        if isinstance(column.field, models.JSONField) and empty:
            exclude.add(column.key)
    instance.full_clean(exclude=sorted(exclude))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _file_in_use(name: str) -> bool:
    return (
        NoticeRendering.objects.filter(pdf=name).exists()
        or Controller.objects.filter(logo=name).exists()
    )


class _Writer:
    """The writing half of an import; ``run`` happens inside one transaction."""

    def __init__(self, backup: Backup) -> None:
        self.backup = backup
        self.file = backup.file
        self.stored: list[str] = []  # files this import saved: removed again on failure
        self.path = ""  # where in the file the current write comes from
        self.saved: dict[str, models.Model] = {}  # by the file's refs
        self.users: dict[str, Any] = {}
        self.explicit_ids: set[type[models.Model]] = set()
        self.free_ids: dict[type[models.Model], set[int]] = {}
        self.filled: set[str] = set()  # the tables written to, for analyze()
        self.result = ImportResult(controller=Controller())
        # The writes run in the default language (for the untranslated columns); the
        # errors are told in the caller's.
        self.language = translation.get_language()

    def remove_stored(self) -> None:
        _delete_files(self.stored)
        self.stored = []

    def run(self, existing: Controller | None) -> ImportResult:
        old_files: list[str] = []
        if existing is not None:
            existing = Controller.objects.select_for_update().get(pk=existing.pk)
            old_files = self.delete_contents(existing)
        self.find_free_ids(existing)
        controller = self.save_controller(existing)
        self.result.controller, self.result.replaced = controller, existing is not None
        self.save_users(controller)
        for key, layout in (
            ("contact_persons", columns.CONTACT_PERSON),
            ("processors", columns.PROCESSOR),
        ):
            for i, entry in enumerate(getattr(self.file, key)):
                self.save(entry, layout, f"{key}[{i}]", controller=controller)
        for i, entry in enumerate(self.file.registers):
            self.save_register(entry, i, controller)
        self.advance_sequences()
        self.analyze()
        if old_files:
            # The replaced controller's files go once the transaction has committed,
            # unless this import adopted them.
            keep = set(NoticeRendering.objects.values_list("pdf", flat=True))
            keep.update(Controller.objects.exclude(logo="").values_list("logo", flat=True))
            gone = [name for name in old_files if name not in keep]
            transaction.on_commit(partial(_delete_files, gone))
        return self.result

    # -- replacing

    def delete_contents(self, controller: Controller) -> list[str]:
        """Delete what the controller holds (and its logo), in the order protections require.

        Versions protect their registers, and registers' parts protect processors
        and contact persons. Returns the names of the files they used.
        """
        self.path = "controller"
        versions = NoticeVersion.objects.filter(register__controller=controller)
        files = list(
            NoticeRendering.objects.filter(version__in=versions)
            .exclude(pdf="")
            .values_list("pdf", flat=True)
        )
        if controller.logo:
            files.append(controller.logo.name)
            # No longer in use: the import may adopt the same file as the new logo.
            Controller.objects.filter(pk=controller.pk).update(logo="")
        # Renderings first, then the versions by id alone: the deletion does not load
        # every version's snapshot and pages into memory.
        NoticeRendering.objects.filter(version__in=versions).delete()
        versions.only("pk").delete()
        Register.objects.filter(controller=controller).delete()
        Processor.objects.filter(controller=controller).delete()
        ContactPerson.objects.filter(controller=controller).delete()
        Membership.objects.filter(controller=controller).delete()
        return files

    # -- ids

    def find_free_ids(self, existing: Controller | None) -> None:
        """Which of the file's ids are free in this database, model by model.

        An id is free if no row has it and no audit event of another controller
        (one that is not ``existing``, the controller replaced) names it: an object
        given such an id would show that company's history as its own.
        """
        for model, ids in self.backup.ids.items():
            taken = set(model._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
            taken |= ids_with_history(model, ids - taken, controller=existing)
            self.free_ids[model] = ids - taken

    def assign_id(self, entry: Any, layout: Layout, instance: models.Model) -> bool:
        """Give ``instance`` its id from the file if that is free; True if it did."""
        wanted = entry.id if layout.id else None
        if wanted is None:
            return False
        if wanted in self.free_ids.get(layout.model, set()):
            instance.pk = wanted
            self.explicit_ids.add(layout.model)
            return True
        self.result.new_ids += 1
        return False

    def advance_sequences(self) -> None:
        """After inserting explicit ids, move PostgreSQL's id sequences past them.

        SQLite's AUTOINCREMENT does this by itself.
        """
        if connection.vendor != "postgresql" or not self.explicit_ids:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in self.explicit_ids:
                table = quote(model._meta.db_table)
                column = model._meta.pk.column
                # GREATEST: only ever raises the sequence, never lowers it under a
                # concurrent insert. Table and column names come from the models.
                sql = (
                    "SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST("  # noqa: S608
                    f"(SELECT COALESCE(MAX({quote(column)}), 1) FROM {table}), "
                    "nextval(pg_get_serial_sequence(%s, %s))))"
                )
                cursor.execute(sql, [table, column, table, column])

    def analyze(self) -> None:
        """Gather PostgreSQL's statistics on the tables the import filled.

        Without them the planner guesses until autovacuum gets to the tables, and
        a restored company is served slowly (the company index scanned every
        version). Run in the import's transaction: ANALYZE counts the rows this
        transaction inserted, and its statistics go if the import is rolled back.
        SQLite's planner needs no statistics.
        """
        if connection.vendor != "postgresql" or not self.filled:
            return
        quote = connection.ops.quote_name
        tables = ", ".join(quote(table) for table in sorted(self.filled))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")  # names from the models

    # -- saving

    def fill(self, instance: models.Model, entry: Any, layout: Layout) -> None:
        """Set every column of ``instance`` but its many-to-many links and stored files."""
        for column in columns.columns(layout):
            found = value(entry, column.key)
            if column.kind is Kind.TEXT:
                for code in languages.codes():
                    setattr(instance, columns.localized(column, code), found.get(code))
            elif column.kind is Kind.VALUE:
                setattr(instance, column.field.attname, found)
            elif column.kind is Kind.REF:
                setattr(instance, column.key, self.saved[found] if found is not None else None)
            elif column.kind is Kind.CODE:
                # A nullable choice may be left unmade (a register's authority).
                entry_ = (
                    None
                    if found is None
                    else self.backup.catalogue_entry(column.related_model, found)
                )
                setattr(instance, column.key, entry_)
            elif column.kind is Kind.USER:
                setattr(instance, column.key, self.users[found] if found is not None else None)

    def save(
        self,
        entry: Any,
        layout: Layout,
        path: str,
        *,
        instance: models.Model | None = None,
        files: dict[str, str] | None = None,
        **owner: Any,
    ) -> Any:
        """Build, validate with ``full_clean()`` and insert one object of the file.

        ``files`` are the storage names of its stored files; ``owner`` the object
        its list sits in. Creation and change times are kept as in the file.
        """
        self.path = path
        kept = False
        if instance is None:
            instance = layout.model(**owner)
            kept = self.assign_id(entry, layout, instance)
        self.fill(instance, entry, layout)
        for key, name in (files or {}).items():
            setattr(instance, key, name)
        try:
            _full_clean(instance, entry, layout)
        except ValidationError as error:
            raise self.refused(error, layout.model) from error
        instance.save(force_insert=kept)
        self.filled.add(layout.model._meta.db_table)
        self.link_many(instance, entry, layout)
        times = {
            column.key: value(entry, column.key)
            for column in columns.columns(layout)
            if getattr(column.field, "auto_now", False)
            or getattr(column.field, "auto_now_add", False)
        }
        if times:
            layout.model._base_manager.filter(pk=instance.pk).update(**times)
        if layout.ref:
            self.saved[entry.ref] = instance
        return instance

    def refused(self, error: ValidationError, model: type[models.Model]) -> BackupError:
        with translation.override(self.language):
            return errors.model_error(error, model, self.path)

    def link_many(self, instance: models.Model, entry: Any, layout: Layout) -> None:
        for column in columns.columns(layout):
            if column.kind is Kind.REFS:
                targets = [self.saved[ref] for ref in value(entry, column.key)]
            elif column.kind is Kind.CODES:
                model = column.related_model
                targets = [self.backup.catalogue_entry(model, c) for c in value(entry, column.key)]
            else:
                continue
            getattr(instance, column.key).set(targets)
            self.filled.add(column.field.remote_field.through._meta.db_table)

    def save_controller(self, existing: Controller | None) -> Controller:
        entry = self.file.controller
        files = {}
        if entry.logo is not None:
            self.path = "controller.logo"
            files["logo"] = self.store(entry.logo.name, entry.logo.content_base64)
            if files["logo"] != entry.logo.name:
                self.result.logo_renamed_from = entry.logo.name
        else:
            files["logo"] = ""
        return self.save(entry, columns.CONTROLLER, "controller", instance=existing, files=files)

    def save_users(self, controller: Controller) -> None:
        """Memberships by username; missing users are created inactive, without a password."""
        result = self.result
        user_model = get_user_model()
        wanted = [user.username for user in self.file.users]
        self.users = {u.get_username(): u for u in user_model.objects.filter(username__in=wanted)}
        existing = set(self.users)
        for i, entry in enumerate(self.file.users):
            self.path = f"users[{i}]"
            if entry.username in existing:
                if (self.users[entry.username].email or "").lower() != entry.email.lower():
                    result.email_differs.append(entry.username)
                continue
            user = user_model(**entry.model_dump(), is_active=False, is_staff=True)
            user.set_unusable_password()
            try:
                user.full_clean()
            except ValidationError as error:
                raise self.refused(error, user_model) from error
            user.save()
            self.filled.add(user_model._meta.db_table)
            self.users[entry.username] = user
            result.created_users.append(entry.username)
        for i, entry in enumerate(self.file.memberships):
            if entry.user in existing:
                result.existing_members.append(entry.user)
            self.save(entry, columns.MEMBERSHIP, f"memberships[{i}]", controller=controller)

    def save_register(self, entry: Any, i: int, controller: Controller) -> None:
        path = f"registers[{i}]"
        register = self.save(entry, columns.REGISTER, path, controller=controller)
        self.result.registers += 1
        for part in columns.part_order():
            layout = columns.part_layout(part)
            for j, item in enumerate(value(entry, part.key)):
                self.save(item, layout, f"{path}.{part.key}[{j}]", register=register)
        previous: str | None = None
        for version, version_path in self.backup.versions(i):
            previous = self.save_version(version, version_path, register, previous)
        # Not in the file: the change log is built from the versions just saved.
        changelog_rebuild(register=register)

    def save_version(self, entry: Any, path: str, register: Register, previous: str | None) -> str:
        """Save one version with its renderings and PDFs; its record hash.

        ``previous`` is the record hash of the register's version before it.
        """
        version = self.save(entry, columns.VERSION, path, register=register)
        self.result.versions += 1
        names = {
            "controller": {"slug": register.controller.slug},
            "register": {"slug": register.slug},
        }
        pdfs: dict[str, bytes] = {}
        rows: list[NoticeRendering] = []
        for k, rendering in enumerate(entry.renderings):
            self.path = f"{path}.renderings[{k}]"
            # A name we make from validated slugs, never the one in the file.
            wanted = pdf_storage_name(names, entry.number, rendering.language)
            stored = self.store(wanted, rendering.pdf.content_base64)
            pdfs[rendering.language] = rendering.pdf.content_base64
            rows.append(
                self.save(
                    rendering, columns.RENDERING, self.path, files={"pdf": stored}, version=version
                )
            )
            self.result.renderings += 1
        return self.check_record(version, (rows, pdfs), path, previous)

    def check_record(
        self,
        version: NoticeVersion,
        saved: tuple[list[NoticeRendering], dict[str, bytes]],
        path: str,
        previous: str | None,
    ) -> str:
        """Refuse a version whose content is not what its signed record says.

        ``saved`` is the version's renderings as just saved and its PDFs' bytes.

        Files written since records exist (archives, schema 3) must carry a record
        signed by one of the service's keys (current or retired) and chained to the
        version before: an edited archive is refused. An older file's versions have
        none: the service records and signs them now, as importing them vouches for
        them, and the report says how many (only import such files from a source
        you trust).
        """
        if version.record is None and self.backup.written_as < ARCHIVE_VERSION:
            chain.seal_version(version)
            self.result.unsigned += 1
        rows, pdfs = saved
        found = chain.verify_record(version, renderings=rows, pdfs=pdfs, previous=previous)
        if found:
            raise BackupError(
                _("Version %(number)s does not match its signed record: %(problem)s")
                % {"number": version.number, "problem": found[0].message},
                code="record",
                path=f"{path}.{found[0].part}",
            )
        return version.record_hash

    def store(self, name: str, content: bytes) -> str:
        """Save ``content`` under ``name`` (a safe name we made or checked); the name used.

        A file already stored under that exact name with the same bytes and used by
        no row is adopted instead, so restoring into the same storage twice keeps one
        copy. Otherwise storage picks a free name if ``name`` is taken.
        """
        if default_storage.exists(name) and not _file_in_use(name):
            with default_storage.open(name, "rb") as handle:
                if hashlib.sha256(handle.read()).digest() == hashlib.sha256(content).digest():
                    self.result.files_reused += 1
                    return name
        saved = default_storage.save(name, ContentFile(content), max_length=300)
        self.stored.append(saved)
        self.result.files_stored += 1
        return saved
