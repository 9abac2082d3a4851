"""Visitor-facing texts, stored once per configured language (settings.LANGUAGES).

Shared catalogues (legal bases, rights, authorities) carry every language; a
company's own texts need the default language in the admin, and the completeness
check asks for each language the register publishes.
"""

from django.conf import settings
from modeltranslation.translator import TranslationOptions, register

from . import models

ALL_LANGUAGES = settings.MODELTRANSLATION_LANGUAGES
DEFAULT_LANGUAGE = (settings.MODELTRANSLATION_DEFAULT_LANGUAGE,)


@register(models.LegalBasis)
class LegalBasisTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ALL_LANGUAGES


@register(models.Right)
class RightTranslation(TranslationOptions):
    fields = ("name", "default_text")
    required_languages = ALL_LANGUAGES


@register(models.SupervisoryAuthority)
class SupervisoryAuthorityTranslation(TranslationOptions):
    fields = ("name", "street_address")
    required_languages = ALL_LANGUAGES


@register(models.Register)
class RegisterTranslation(TranslationOptions):
    fields = (
        "name",
        "introduction",
        "statutory_requirement",
        "automated_decisions",
        "transfers_statement",
        "cookies_info",
        "rights_exercise",
        "joint_controllers",
        "legitimate_interest",
        "changes_policy",
    )
    required_languages = DEFAULT_LANGUAGE


@register(models.DataSubjectGroup)
class DataSubjectGroupTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = DEFAULT_LANGUAGE


@register(models.Purpose)
class PurposeTranslation(TranslationOptions):
    fields = ("name", "description", "legitimate_interest")
    required_languages = DEFAULT_LANGUAGE


@register(models.DataCategory)
class DataCategoryTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = DEFAULT_LANGUAGE


@register(models.Source)
class SourceTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = DEFAULT_LANGUAGE


@register(models.Recipient)
class RecipientTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = DEFAULT_LANGUAGE


@register(models.Processor)
class ProcessorTranslation(TranslationOptions):
    # A name given in the default language only is the same in every language (a proper name).
    fields = ("name", "service")
    # Kept unique per controller in each language: an untranslated name is NULL, not ''.
    empty_values = {"name": None}
    required_languages = DEFAULT_LANGUAGE


@register(models.RegisterProcessor)
class RegisterProcessorTranslation(TranslationOptions):
    fields = ("processes",)
    required_languages = DEFAULT_LANGUAGE


@register(models.Transfer)
class TransferTranslation(TranslationOptions):
    fields = ("recipient", "copy_info")


@register(models.RetentionRule)
class RetentionRuleTranslation(TranslationOptions):
    fields = ("starting_event", "criteria")


@register(models.SecurityMeasure)
class SecurityMeasureTranslation(TranslationOptions):
    fields = ("description",)
    required_languages = DEFAULT_LANGUAGE


@register(models.Cookie)
class CookieTranslation(TranslationOptions):
    fields = ("purpose", "duration")
    required_languages = DEFAULT_LANGUAGE


@register(models.RegisterRight)
class RegisterRightTranslation(TranslationOptions):
    fields = ("text",)


@register(models.CoverageItem)
class CoverageItemTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = DEFAULT_LANGUAGE


@register(models.SectionLead)
class SectionLeadTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = DEFAULT_LANGUAGE


@register(models.EarlierChange)
class EarlierChangeTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = DEFAULT_LANGUAGE
