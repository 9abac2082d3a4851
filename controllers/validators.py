"""Validators for what a company admin types about the company itself."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

BUSINESS_ID_RE = re.compile(r"^(\d{7})-(\d)$")
BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id_check_digit(digits: str) -> int | None:
    """The check digit of a Finnish business ID's seven digits, or None if none exists.

    The weighted sum modulo 11 gives remainder 0 → 0, remainder 1 → no valid ID,
    otherwise 11 - remainder.
    """
    remainder = sum(int(d) * w for d, w in zip(digits, BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def validate_business_id(value: str) -> None:
    """Validate a Finnish business ID (y-tunnus), e.g. 3118706-6, by its check digit."""
    match = BUSINESS_ID_RE.match(value or "")
    if not match:
        raise ValidationError(
            _("Enter the business ID as seven digits, a hyphen and a check digit, e.g. 1234567-1."),
            code="business_id_format",
        )
    digits, check = match.groups()
    if business_id_check_digit(digits) != int(check):
        raise ValidationError(
            _("The business ID %(value)s has a wrong check digit."),
            code="business_id_checksum",
            params={"value": value},
        )


validate_brand_color = RegexValidator(
    r"^#[0-9a-fA-F]{6}$",
    _("Enter the colour as # and six hexadecimal digits, e.g. #1a5fb4."),
    code="brand_color",
)


def validate_logo(file: UploadedFile) -> None:
    """Refuse a logo that is too large in bytes or in pixels.

    That the file is a real raster image is checked by ImageField itself (Pillow);
    SVG is refused there because Pillow cannot open it, which keeps scripts out.
    """
    max_bytes = settings.LOGO_MAX_BYTES
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            _("The logo is %(size)d KB; the largest allowed is %(max)d KB."),
            code="logo_too_large",
            params={"size": file.size // 1024, "max": max_bytes // 1024},
        )
    image = getattr(file, "image", None)
    width = getattr(file, "width", None) or (image.width if image else None)
    height = getattr(file, "height", None) or (image.height if image else None)
    limit = settings.LOGO_MAX_DIMENSION
    if width and height and (width > limit or height > limit):
        raise ValidationError(
            _("The logo is %(width)d×%(height)d pixels; at most %(max)d pixels a side is allowed."),
            code="logo_too_many_pixels",
            params={"width": width, "height": height, "max": limit},
        )


ORIGIN_RE = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$", re.IGNORECASE)


def validate_origins(value: str) -> None:
    """Each line an origin: scheme, host and optional port, nothing else."""
    for line in value.splitlines():
        origin = line.strip()
        if origin and not ORIGIN_RE.match(origin):
            raise ValidationError(
                _("“%(origin)s” is not an origin such as https://www.example.com."),
                code="origin",
                params={"origin": origin[:100]},
            )


# The longest free text a tenant may type into one field.
TEXT_MAX_LENGTH = 10_000

# Invisible characters that change how other text is shown: control characters
# other than tab and line breaks (terminal escape codes among them), which the
# PDF fonts draw as empty boxes, and the Unicode bidirectional embeddings,
# overrides and isolates, which show a text reversed ("evil.exe" as "exe.live"),
# the notice's own words after it included. NUL is refused by Django's forms.
INVISIBLE_CONTROL_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def validate_no_control_characters(value: str) -> None:
    """Refuse text with an invisible control or text-direction character."""
    found = INVISIBLE_CONTROL_RE.search(value or "")
    if found:
        raise ValidationError(
            _(
                "The text contains an invisible control character (U+%(code)04X) that would "
                "change how the notice is shown. Remove it."
            ),
            code="control_character",
            params={"code": ord(found.group())},
        )
