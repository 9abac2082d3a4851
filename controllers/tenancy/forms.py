"""Model forms that keep every relation inside one controller.

``TenantModelForm`` refuses a related object of another controller, and sets the
tenant of a new object from the admin, never from the submitted data.
``TenantInlineFormSet`` refuses a row id that is not one of the parent's own rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
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
        pk_field = form.fields.get(self._pk_field.name)
        if isinstance(pk_field, forms.ModelChoiceField):
            pk_field.queryset = self.get_queryset()

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
