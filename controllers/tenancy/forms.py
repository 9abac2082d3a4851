"""Model forms that keep every relation inside one controller.

``TenantModelForm`` refuses a related object of another controller, and sets the
tenant of a new object from the admin, never from the submitted data.
``TenantInlineFormSet`` refuses a row id that is not one of the parent's own rows,
and checks what its rows chose with one query per relation, not one per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet, InlineForeignKeyField, construct_instance
from django.utils.translation import gettext_lazy as _

from ..models import Controller
from .queries import (
    controller_id_of,
    controller_ids_for,
    controller_lookup,
    is_member,
    is_tenant_model,
    tenant_path,
)


def _related_model(field: models.Field) -> type[models.Model] | None:
    if field.is_relation and field.related_model is not None:
        return field.related_model
    return None


def _key_field(field: forms.ModelChoiceField) -> models.Field:
    """The model field whose value a choice field's submitted value is (the pk's)."""
    opts = field.queryset.model._meta
    name = field.to_field_name
    return opts.pk if name in (None, "pk") else opts.get_field(name)


def _key(field: forms.ModelChoiceField, value: Any) -> Any:
    """A submitted value as its key field's Python value, or None where it cannot be one."""
    if value in field.empty_values or "\x00" in str(value):
        return None
    try:
        return _key_field(field).to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None


class ChosenRows:
    """What the rows of one formset chose of one relation, fetched in one query.

    The rows of a formset have the same choices (the same tenant and parent), so
    the values all of them submitted are looked up together, the first time a row
    checks one. A value not found here is checked by the field itself, which then
    refuses it with Django's own message.
    """

    def __init__(self, formset: BaseInlineFormSet, name: str) -> None:
        self.formset, self.name = formset, name
        self.objects: dict[Any, models.Model] | None = None

    def _fetch(self, field: forms.ModelChoiceField) -> dict[Any, models.Model]:
        keys = set()
        for form in self.formset.forms:
            row_field = form.fields.get(self.name)
            if row_field is None or row_field.disabled:
                continue
            data = form[self.name].data
            for value in data if isinstance(data, list | tuple) else [data]:
                key = _key(field, value)
                if key is not None:
                    keys.add(key)
        if not keys:
            return {}
        name = _key_field(field).attname
        rows = field.queryset.filter(**{f"{name}__in": keys})
        path = tenant_path(rows.model)
        if path and "__" in path:
            # TenantModelForm.clean asks each chosen object for its controller.
            rows = rows.select_related(path.rsplit("__", 1)[0])
        return {getattr(obj, name): obj for obj in rows}

    def get(self, field: forms.ModelChoiceField, value: Any) -> models.Model | None:
        if self.objects is None:
            self.objects = self._fetch(field)
        key = _key(field, value)
        return None if key is None else self.objects.get(key)


class ExistingRows:
    """The formset's own rows (Django reads them once to build the bound rows)."""

    def __init__(self, formset: BaseInlineFormSet) -> None:
        self.formset = formset

    def get(self, field: forms.ModelChoiceField, value: Any) -> models.Model | None:
        key = _key(field, value)
        return None if key is None else self.formset._existing_object(key)


class RowChoiceField(forms.ModelChoiceField):
    """A row's choice of one object, found among what all the rows chose (``rows``)."""

    rows: ChosenRows | ExistingRows | None = None

    def to_python(self, value: Any) -> Any:
        if self.rows is not None:
            found = self.rows.get(self, value)
            if found is not None:
                return found
        return super().to_python(value)


class RowMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A row's choice of several objects, found among what all the rows chose."""

    rows: ChosenRows | None = None

    def _check_values(self, value: Any) -> Any:
        if self.rows is not None and isinstance(value, list | tuple):
            found = [self.rows.get(self, item) for item in value]
            if None not in found:
                # In the choices' order, each once, as Django's own query returns them.
                chosen = {obj.pk for obj in found}
                return [obj for obj in self.rows.objects.values() if obj.pk in chosen]
        return super()._check_values(value)


def _skipped_anyway(form: forms.ModelForm, name: str, exclude: set[str]) -> bool:
    """Whether leaving ``name`` out of the model's checks leaves every constraint as it
    was: each constraint that may name it is already left out (it names an excluded
    field), as the row's link to its parent is in every one of a part's constraints."""
    for _model, constraints in form.instance.get_constraints():
        for constraint in constraints:
            fields = set(getattr(constraint, "fields", ()) or ())
            plain = (
                isinstance(constraint, models.UniqueConstraint)
                and fields
                and constraint.condition is None
                and not constraint.expressions
            )
            if plain and name not in fields:
                continue
            if not fields & exclude:
                return False
    return True


class TenantModelForm(forms.ModelForm):
    """A model form that keeps every relation inside one controller.

    The admin sets ``tenant_user`` and, when it is known, ``tenant_controller_id``
    on a per-request subclass (``tenant_form()``). The tenant of a new object comes
    from there, never from the submitted data, and the choices of every relation
    are that controller's objects only.
    """

    tenant_user: Any = None
    tenant_controller_id: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.tenant_controller_id is None:
            return
        if tenant_path(self._meta.model) == "controller" and self.instance.controller_id is None:
            self.instance.controller_id = self.tenant_controller_id
        for field, related in self._tenant_choice_fields():
            lookup = {controller_lookup(related): self.tenant_controller_id}
            field.queryset = field.queryset.filter(**lookup)

    def _tenant_choice_fields(self) -> Iterator[tuple[forms.ModelChoiceField, type[models.Model]]]:
        """The form's choices of another model's tenant data, each with that model."""
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            try:
                related = _related_model(self._meta.model._meta.get_field(name))
            except FieldDoesNotExist:
                continue
            if related is not None and is_tenant_model(related):
                yield field, related

    def _own_controller_id(self, cleaned: dict[str, Any]) -> int | None:
        path = tenant_path(self._meta.model)
        if path is None:
            return None
        if path == "":
            return self.instance.pk
        first = path.split("__")[0]
        parent = cleaned.get(first)
        if parent is not None:
            if isinstance(parent, Controller):
                return parent.pk
            return controller_id_of(parent)
        return controller_id_of(self.instance) or self.tenant_controller_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        own = self._own_controller_id(cleaned)
        for name, value in list(cleaned.items()):
            try:
                field = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            related = _related_model(field)
            if related is None or not is_tenant_model(related) or value is None:
                continue
            values: Iterable[models.Model] = value if field.many_to_many else [value]
            for obj in values:
                other = controller_id_of(obj)
                foreign = self.tenant_user is not None and not is_member(self.tenant_user, other)
                if foreign or (own is not None and other != own):
                    self.add_error(
                        name,
                        ValidationError(
                            _("“%(object)s” belongs to another controller."),
                            code="other_controller",
                            params={"object": obj},
                        ),
                    )
                    break
        return cleaned

    def _found_relations(self, exclude: set[str]) -> set[str]:
        """The foreign keys whose chosen object the form's own field has found.

        Its choices are narrower than the model's check of the same key (the
        tenant's and the parent's objects of the model's default manager, against
        its base manager), which would ask the database again, once per row.
        """
        found = set()
        opts = self._meta.model._meta
        for name, field in self.fields.items():
            if name in exclude or type(field) not in (forms.ModelChoiceField, RowChoiceField):
                continue
            try:
                link = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if not (
                link.many_to_one
                and not link.remote_field.limit_choices_to
                and not link.validators
                and field.queryset.model is link.related_model
                and _key_field(field) == link.target_field
                and isinstance(self.cleaned_data.get(name), link.related_model)
                and _skipped_anyway(self, name, exclude)
            ):
                continue
            found.add(name)
        return found

    def _post_clean(self) -> None:
        # Django's ``BaseModelForm._post_clean``, with ``_found_relations`` left out
        # of the model's field checks (not of its uniqueness checks).
        opts = self._meta
        exclude = self._get_validation_exclusions()
        for name, field in self.fields.items():
            if isinstance(field, InlineForeignKeyField):
                exclude.add(name)
        try:
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        except ValidationError as e:
            self._update_errors(e)
        try:
            self.instance.full_clean(
                exclude=exclude | self._found_relations(exclude), validate_unique=False
            )
        except ValidationError as e:
            self._update_errors(e)
        if self._validate_unique:
            self.validate_unique()

    def _get_validation_exclusions(self) -> set[str]:
        # The tenant field is set by us, not by the form, but the uniqueness rules
        # that include it (a slug unique within a controller) must still be checked.
        exclude = super()._get_validation_exclusions()
        if tenant_path(self._meta.model) == "controller" and self.instance.controller_id:
            exclude.discard("controller")
        return exclude


class TenantInlineFormSet(BaseInlineFormSet):
    """An inline formset whose rows can only name the parent's own children.

    Django validates a row's hidden id against every row of the model; a row id of
    another register (or controller) would then be silently ignored. Here it is a
    form error instead, whether or not the row's DELETE is ticked. A row's choices
    of the parent's other parts (a retention rule's data category) are the
    parent's own.
    """

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        self._offer_only_parents_parts(form)
        pk_name = self._pk_field.name
        pk_field = form.fields.get(pk_name)
        if isinstance(pk_field, forms.ModelChoiceField) and not self._pk_field.is_relation:
            # A row's id is one of the parent's rows, which Django has read already.
            row = RowChoiceField(
                self.get_queryset(),
                initial=pk_field.initial,
                required=False,
                widget=pk_field.widget,
            )
            row.rows = ExistingRows(self)
            form.fields[pk_name] = row
        if not form.is_bound:
            return
        chosen: dict[str, ChosenRows] = self.__dict__.setdefault("_chosen_rows", {})
        for name, field in form.fields.items():
            if isinstance(field, RowChoiceField | RowMultipleChoiceField) and name != pk_name:
                field.rows = chosen.setdefault(name, ChosenRows(self, name))

    def clean(self) -> None:
        # Django skips the errors of a row marked for deletion and then the row
        # itself when its id is not one of the parent's: another controller's row
        # with DELETE ticked would be ignored without a word. It is refused instead.
        super().clean()
        pk_name = self.model._meta.pk.name
        for form in self.initial_forms:
            if self.can_delete and self._should_delete_form(form) and form.has_error(pk_name):
                raise ValidationError(
                    _("A row to delete is not one of this page's rows. Nothing was saved."),
                    code="other_row",
                )

    def _offer_only_parents_parts(self, form: forms.ModelForm) -> None:
        parent = self.instance
        if parent.pk is None:
            # The add page: Django builds the inlines without their new parent,
            # which has no parts yet; the rows' choices stay the controller's.
            return
        for field in form.fields.values():
            if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
                continue
            related = field.queryset.model
            if not is_tenant_model(related):
                continue
            for link in related._meta.get_fields():
                if link.many_to_one and link.related_model is type(parent):
                    field.queryset = field.queryset.filter(**{link.name: parent.pk})
                    break


def tenant_form(
    base: type[forms.ModelForm], *, user: Any, model: type[models.Model], obj: models.Model | None
) -> type[forms.ModelForm]:
    """A subclass of ``base`` for one request: ``user``'s form about ``obj`` of ``model``.

    Its controller is ``obj``'s, or for a new object the user's only controller;
    unknown (None) for a superuser or a member of several, who choose it in the form.
    """
    controller_id = None
    if obj is not None and obj.pk is not None and is_tenant_model(type(obj)):
        controller_id = controller_id_of(obj)
    elif is_tenant_model(model):
        ids = controller_ids_for(user)
        if ids is not None and len(ids) == 1:
            controller_id = next(iter(ids))
    return type(
        base.__name__, (base,), {"tenant_user": user, "tenant_controller_id": controller_id}
    )
