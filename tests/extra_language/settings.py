"""The project's settings with a fourth language configured, and nothing else changed.

tests/test_languages.py runs fourth_language.py under these settings to show that a
language is data: settings, catalogue texts and (for the admin) a locale are all it
takes; no app module changes.
"""

from config.settings import *  # noqa: F403
from config.settings import LANGUAGES

LANGUAGES = [*LANGUAGES, ("de", "German")]
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
