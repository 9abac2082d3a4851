"""Reading files written before names were translated and the country was a code.

Such files have the same schema version numbers as today's (the signed-record
rule is keyed to them), so every file read is brought to today's shape here, after
the version upgrades and before validation; a file already in today's shape is
left as it is. Files written before differ in three ways:

- the controller's country was a text in each language ("Suomi / Finland"); it is
  now a country code, read from the text in any configured language
  (``controllers.countries.country_code``); a text that names no country, or two,
  is refused with its path rather than guessed;
- contact persons' and processors' names were one string; they are now
  translated, and a name given once is the default language's (and so the same
  in every language);
- registers had no coverage list, section lead paragraphs or changes before the
  service: those lists are empty.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from controllers.countries import country_code

from .. import languages
from .errors import BackupError

NEW_PARTS = ("coverage", "section_leads", "earlier_changes")


def _country(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    written = [text.strip() for text in value.values() if isinstance(text, str) and text.strip()]
    if not written:
        return ""
    codes = {country_code(text) for text in written}
    if len(codes) != 1 or "" in codes:
        raise BackupError(
            _("controller.country: “%(country)s” is not one country this service knows.")
            % {"country": " / ".join(dict.fromkeys(written))},
            code="unknown_country",
        )
    return codes.pop()


def _named(entries: Any) -> Any:
    if not isinstance(entries, list):
        return entries
    upgraded = []
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            entry = {**entry, "name": {languages.default(): entry["name"]}}
        upgraded.append(entry)
    return upgraded


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` in today's shape (``data`` itself is left alone)."""
    data = dict(data)
    controller = data.get("controller")
    if isinstance(controller, dict):
        # Version 1 files wrote the country's texts as country_<language> keys.
        split = {
            code: controller[f"country_{code}"]
            for code in languages.codes()
            if f"country_{code}" in controller
        }
        if split and "country" not in controller:
            controller = {
                k: v for k, v in controller.items() if k.removeprefix("country_") not in split
            }
            controller["country"] = split
        if "country" in controller:
            data["controller"] = {**controller, "country": _country(controller["country"])}
    for key in ("contact_persons", "processors"):
        if key in data:
            data[key] = _named(data[key])
    if isinstance(data.get("registers"), list):
        data["registers"] = [
            {**{key: [] for key in NEW_PARTS}, **register}
            if isinstance(register, dict)
            else register
            for register in data["registers"]
        ]
    return data
