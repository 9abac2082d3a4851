"""Reading a country written as free text (as the controller's country once was) as a code."""

from __future__ import annotations

import re

from django.conf import settings
from django_countries import countries


def country_code(text: str) -> str:
    """The ISO 3166-1 code of a country written by name in any configured language.

    "Suomi / Finland", "Finland", "Suomi", "FI" and "Sverige" all read; every part
    of a text split at "/" or "," must name the same country. '' when the text
    names no country, or names two.
    """
    found = set()
    for part in re.split(r"[/,;]", text or ""):
        name = part.strip()
        if not name:
            continue
        code = _code_of(name)
        if not code:
            return ""
        found.add(code)
    return found.pop() if len(found) == 1 else ""


def _code_of(name: str) -> str:
    if len(name) == 2 and name.upper() in countries:
        return name.upper()
    for language, _name in settings.LANGUAGES:
        code = countries.by_name(name, language=language)
        if code:
            return code
    return ""
