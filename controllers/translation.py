"""Visitor-facing texts of the controller, once per configured language."""

from django.conf import settings
from modeltranslation.translator import TranslationOptions, register

from . import models


@register(models.Controller)
class ControllerTranslation(TranslationOptions):
    fields = ("country", "representative")
    required_languages = (settings.MODELTRANSLATION_DEFAULT_LANGUAGE,)


@register(models.ContactPerson)
class ContactPersonTranslation(TranslationOptions):
    fields = ("title",)
