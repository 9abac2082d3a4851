"""Visitor-facing texts of the controller in Finnish (required) and English."""

from modeltranslation.translator import TranslationOptions, register

from . import models


@register(models.Controller)
class ControllerTranslation(TranslationOptions):
    fields = ("country", "representative")
    required_languages = ("fi",)


@register(models.ContactPerson)
class ContactPersonTranslation(TranslationOptions):
    fields = ("title",)
