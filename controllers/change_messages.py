"""The admin's change messages (stored as JSON in the audit log) in the reader's language.

Kept apart from ``controllers.audit`` so the ``AuditEvent`` model can use it: the
audit module imports the models.
"""

from __future__ import annotations

import json
import re

from django.utils.text import capfirst, get_text_list
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

# A per-language field's label as the admin stores it: "Criteria [fi]".
_LANGUAGE_LABEL = re.compile(r"(?P<label>.+) \[(?P<code>[\w-]+)\]")


def field_label(label: str) -> str:
    """A field label of a stored change message, in the reader's language.

    The admin stores the labels in English, capitalised ("No transfers outside the
    EU/EEA"), and a translated field's with its language code ("Criteria [fi]");
    the catalogue has the field's verbose name ("no transfers outside the EU/EEA").
    Gives "Ei siirtoja EU:n/ETA:n ulkopuolelle" and "Kriteerit (suomi)". A label no
    catalogue knows stays as stored.
    """
    found = _LANGUAGE_LABEL.fullmatch(label)
    if found:
        try:
            language = get_language_info(found["code"])["name_translated"]
        except KeyError:
            language = found["code"]
        return f"{field_label(found['label'])} ({language})"
    for candidate in (label, label[:1].lower() + label[1:]):
        translated = _(candidate)
        if translated != candidate:
            return capfirst(translated)
    return label


def change_message_text(details: str) -> str:
    """The admin's change message (JSON, as Django's ``LogEntry`` stores it), translated.

    Django's own ``LogEntry.get_change_message`` translates the sentences but
    looks the field labels up as stored, which no catalogue has (see
    ``field_label``).
    """
    try:
        entries = json.loads(details)
    except ValueError:
        return details
    messages = []
    for entry in entries:
        if "added" in entry:
            added = entry["added"]
            if added:
                messages.append(
                    _("Added {name} “{object}”.").format(
                        name=_(added["name"]), object=added["object"]
                    )
                )
            else:
                messages.append(_("Added."))
        elif "changed" in entry:
            changed = entry["changed"]
            fields = get_text_list([field_label(f) for f in changed.get("fields", [])], _("and"))
            if "name" in changed:
                messages.append(
                    _("Changed {fields} for {name} “{object}”.").format(
                        fields=fields, name=_(changed["name"]), object=changed["object"]
                    )
                )
            else:
                messages.append(_("Changed {fields}.").format(fields=fields))
        elif "deleted" in entry:
            deleted = entry["deleted"]
            messages.append(
                _("Deleted {name} “{object}”.").format(
                    name=_(deleted["name"]), object=deleted["object"]
                )
            )
    return " ".join(message[:1].upper() + message[1:] for message in messages) or _(
        "No fields changed."
    )
