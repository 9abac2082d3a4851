"""Visitor-facing texts of the controller, once per configured language."""

from django.conf import settings
from modeltranslation.translator import TranslationOptions, register

from . import models


@register(models.Controller)
class ControllerTranslation(TranslationOptions):
    fields = ("representative",)
    required_languages = (settings.MODELTRANSLATION_DEFAULT_LANGUAGE,)


@register(models.ContactPerson)
class ContactPersonTranslation(TranslationOptions):
    # A name given in the default language only is the same in every language (a proper name).
    fields = ("name", "title")
    required_languages = {settings.MODELTRANSLATION_DEFAULT_LANGUAGE: ("name",)}
