"""Visitor-facing texts exist in Finnish (required) and English."""

from modeltranslation.translator import TranslationOptions, register

from . import models


@register(models.LegalBasis)
class LegalBasisTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fi", "en")


@register(models.Right)
class RightTranslation(TranslationOptions):
    fields = ("name", "default_text")
    required_languages = ("fi", "en")


@register(models.SupervisoryAuthority)
class SupervisoryAuthorityTranslation(TranslationOptions):
    fields = ("name", "street_address")
    required_languages = ("fi", "en")


@register(models.Register)
class RegisterTranslation(TranslationOptions):
    fields = (
        "name",
        "introduction",
        "statutory_requirement",
        "automated_decisions",
        "cookies_info",
        "rights_exercise",
    )
    required_languages = ("fi",)


@register(models.DataSubjectGroup)
class DataSubjectGroupTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fi",)


@register(models.Purpose)
class PurposeTranslation(TranslationOptions):
    fields = ("name", "description", "legitimate_interest")
    required_languages = ("fi",)


@register(models.DataCategory)
class DataCategoryTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fi",)


@register(models.Source)
class SourceTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fi",)


@register(models.Recipient)
class RecipientTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fi",)


@register(models.Processor)
class ProcessorTranslation(TranslationOptions):
    fields = ("service",)
    required_languages = ("fi",)


@register(models.RegisterProcessor)
class RegisterProcessorTranslation(TranslationOptions):
    fields = ("processes",)
    required_languages = ("fi",)


@register(models.Transfer)
class TransferTranslation(TranslationOptions):
    fields = ("recipient", "copy_info")


@register(models.RetentionRule)
class RetentionRuleTranslation(TranslationOptions):
    fields = ("starting_event", "criteria")


@register(models.SecurityMeasure)
class SecurityMeasureTranslation(TranslationOptions):
    fields = ("description",)
    required_languages = ("fi",)


@register(models.Cookie)
class CookieTranslation(TranslationOptions):
    fields = ("purpose", "duration")
    required_languages = ("fi",)


@register(models.RegisterRight)
class RegisterRightTranslation(TranslationOptions):
    fields = ("text",)
