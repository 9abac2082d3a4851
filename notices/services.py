"""Workflows with side effects on registers: called from the admin, commands and tests."""

from __future__ import annotations

from django.db import transaction

from .models import Register, RegisterRight, Right


@transaction.atomic
def register_add_default_rights(*, register: Register) -> list[RegisterRight]:
    """Give ``register`` every right of the catalogue it does not list yet, included.

    Rights keep the catalogue's order; the register may then leave out those the
    law allows and write its own wording.
    """
    listed = set(register.rights.values_list("right_id", flat=True))
    missing = [
        RegisterRight(register=register, right=right, order=right.order, included=True)
        for right in Right.objects.exclude(pk__in=listed)
    ]
    return RegisterRight.objects.bulk_create(missing)
