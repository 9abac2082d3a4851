"""The controller's country becomes a code (django-countries), shown in the notice's language;
contact persons get a name per language and a postal address.

The free-text country ("Suomi / Finland", "Finland", "Sverige"…) is read as a code
in any configured language (``controllers.countries.country_code``). A text that
names no country, or two, leaves the country empty and is kept in an audit event
of the controller, so the company can choose the country and nothing is guessed.
"""

import controllers.fields
import django_countries.fields
from django.conf import settings
from django.db import migrations, models

from controllers.countries import country_code

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def countries_to_codes(apps, schema_editor):
    Controller = apps.get_model("controllers", "Controller")
    AuditEvent = apps.get_model("controllers", "AuditEvent")
    for controller in Controller.objects.all():
        written = [getattr(controller, f"country_{code}", "") or "" for code in LANGUAGE_CODES]
        written = [text.strip() for text in [controller.country, *written] if (text or "").strip()]
        codes = {country_code(text) for text in written}
        if len(codes) == 1 and "" not in codes:
            controller.country_code = codes.pop()
            controller.save(update_fields=["country_code"])
        elif written:
            AuditEvent.objects.create(
                controller=controller,
                action="change",
                object_repr=controller.name[:200],
                details=(
                    "The country “%s” could not be read as one country: it was left empty. "
                    "Choose the country on the controller's page." % " / ".join(dict.fromkeys(written))
                ),
            )


def codes_to_countries(apps, schema_editor):
    Controller = apps.get_model("controllers", "Controller")
    for controller in Controller.objects.exclude(country_code=""):
        controller.country = controller.country_code
        controller.save(update_fields=["country"])


def names_to_default_language(apps, schema_editor):
    ContactPerson = apps.get_model("controllers", "ContactPerson")
    column = f"name_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}"
    for person in ContactPerson.objects.filter(**{f"{column}__isnull": True}):
        setattr(person, column, person.name)
        person.save(update_fields=[column])


class Migration(migrations.Migration):
    dependencies = [
        ("controllers", "0007_controller_identity_and_contact_optional"),
    ]

    operations = [
        migrations.AddField(
            model_name="controller",
            name="country_code",
            field=models.CharField(blank=True, default="", max_length=2),
        ),
        migrations.RunPython(countries_to_codes, codes_to_countries),
        migrations.RemoveField(model_name="controller", name="country_en"),
        migrations.RemoveField(model_name="controller", name="country_fi"),
        migrations.RemoveField(model_name="controller", name="country_sv"),
        migrations.RemoveField(model_name="controller", name="country"),
        migrations.RenameField(model_name="controller", old_name="country_code", new_name="country"),
        migrations.AlterField(
            model_name="controller",
            name="country",
            field=django_countries.fields.CountryField(
                blank=True, max_length=2, verbose_name="country"
            ),
        ),
        migrations.AddField(
            model_name="contactperson",
            name="name_en",
            field=controllers.fields.LineField(max_length=200, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="contactperson",
            name="name_fi",
            field=controllers.fields.LineField(max_length=200, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="contactperson",
            name="name_sv",
            field=controllers.fields.LineField(max_length=200, null=True, verbose_name="name"),
        ),
        migrations.RunPython(names_to_default_language, migrations.RunPython.noop),
        migrations.AddField(
            model_name="contactperson",
            name="postal_address",
            field=controllers.fields.ProseField(
                blank=True,
                help_text="Where letters to the contact person go, if the notice gives it.",
                max_length=500,
                verbose_name="postal address",
            ),
        ),
    ]
