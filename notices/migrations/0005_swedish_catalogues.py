"""Swedish for the shared catalogues, and the Finnish authority's contact details corrected.

The legal bases and rights get their Swedish names and texts (the legal bases as
the Swedish text of the GDPR words them, briefly). The supervisory authority gets
its Swedish name and the contact details it publishes on tietosuoja.fi: postal
address PL 800, 00531 Helsinki / PB 800, 00531 Helsingfors (0002 wrote 00521) and
switchboard 029 566 6700 (0002 wrote 029 56 66700).

Rows are matched by code (the authority by its email or Finnish name), so the
rows 0002 wrote are updated in place; a row that is missing is created with
0002's Finnish and English texts, so a fresh database and a production one end
with the same catalogue. Finnish and English texts already in the database are
kept, except the authority's address and phone.
"""

import importlib

from django.db import migrations

# The Finnish and English texts of a row this migration has to create.
CATALOGUES = importlib.import_module("notices.migrations.0002_catalogues")

LEGAL_BASES_SV = {
    # code: (name, description)
    "6-1-a": (
        "Samtycke",
        "Den registrerade har lämnat sitt samtycke till att dennes personuppgifter "
        "behandlas för ett eller flera specifika ändamål.",
    ),
    "6-1-b": (
        "Avtal",
        "Behandlingen är nödvändig för att fullgöra ett avtal i vilket den registrerade är "
        "part eller för att vidta åtgärder på begäran av den registrerade innan ett sådant "
        "avtal ingås.",
    ),
    "6-1-c": (
        "Rättslig förpliktelse",
        "Behandlingen är nödvändig för att fullgöra en rättslig förpliktelse som åvilar den "
        "personuppgiftsansvarige.",
    ),
    "6-1-d": (
        "Skydd av grundläggande intressen",
        "Behandlingen är nödvändig för att skydda intressen som är av grundläggande "
        "betydelse för den registrerade eller för en annan fysisk person.",
    ),
    "6-1-e": (
        "Uppgift av allmänt intresse",
        "Behandlingen är nödvändig för att utföra en uppgift av allmänt intresse eller som "
        "ett led i den personuppgiftsansvariges myndighetsutövning.",
    ),
    "6-1-f": (
        "Berättigat intresse",
        "Behandlingen är nödvändig för ändamål som rör den personuppgiftsansvariges eller "
        "en tredje parts berättigade intressen, utom när den registrerades intressen eller "
        "grundläggande rättigheter och friheter väger tyngre än dessa intressen.",
    ),
    "9-2-a": (
        "Uttryckligt samtycke",
        "Den registrerade har lämnat sitt uttryckliga samtycke till att uppgifter som hör "
        "till särskilda kategorier av personuppgifter behandlas för ett eller flera "
        "specifika ändamål.",
    ),
    "9-2-b": (
        "Arbetsrätt och social trygghet",
        "Behandlingen är nödvändig för att fullgöra skyldigheter och utöva särskilda "
        "rättigheter inom arbetsrätten och på områdena social trygghet och socialt skydd.",
    ),
    "9-2-c": (
        "Grundläggande intressen när samtycke inte kan ges",
        "Behandlingen är nödvändig för att skydda den registrerades eller någon annan "
        "fysisk persons grundläggande intressen när den registrerade inte kan ge sitt "
        "samtycke.",
    ),
    "9-2-d": (
        "Icke vinstdrivande organisation",
        "Behandlingen utförs inom ramen för berättigad verksamhet hos en stiftelse, en "
        "förening eller ett annat icke vinstdrivande organ och gäller dess medlemmar eller "
        "personer som har regelbunden kontakt med det.",
    ),
    "9-2-e": (
        "Uppgifter som den registrerade har offentliggjort",
        "Behandlingen gäller personuppgifter som på ett tydligt sätt har offentliggjorts "
        "av den registrerade.",
    ),
    "9-2-f": (
        "Rättsliga anspråk",
        "Behandlingen är nödvändig för att fastställa, göra gällande eller försvara "
        "rättsliga anspråk eller när domstolar utövar sin dömande verksamhet.",
    ),
    "9-2-g": (
        "Viktigt allmänt intresse",
        "Behandlingen är nödvändig av hänsyn till ett viktigt allmänt intresse på "
        "grundval av lag.",
    ),
    "9-2-h": (
        "Hälso- och sjukvård och social omsorg",
        "Behandlingen är nödvändig av skäl som hör samman med förebyggande hälso- och "
        "sjukvård och yrkesmedicin, medicinska diagnoser eller tillhandahållande av hälso- "
        "och sjukvård eller social omsorg.",
    ),
    "9-2-i": (
        "Folkhälsa",
        "Behandlingen är nödvändig av skäl som rör ett allmänt intresse på "
        "folkhälsoområdet.",
    ),
    "9-2-j": (
        "Arkivering, forskning och statistik",
        "Behandlingen är nödvändig för arkivändamål av allmänt intresse, för vetenskapliga "
        "eller historiska forskningsändamål eller för statistiska ändamål.",
    ),
}

RIGHTS_SV = {
    # code: (name, default wording in a notice)
    "access": (
        "Rätt att få tillgång till uppgifterna",
        "Du har rätt att få veta om vi behandlar dina personuppgifter och att få en kopia "
        "av dem.",
    ),
    "rectification": (
        "Rätt till rättelse av uppgifterna",
        "Du har rätt att kräva att felaktiga eller ofullständiga uppgifter om dig rättas "
        "eller kompletteras.",
    ),
    "erasure": (
        "Rätt till radering av uppgifterna",
        "Du har rätt att begära att dina uppgifter raderas när de inte längre behövs eller "
        "det inte finns någon grund för att behandla dem, om inte lagen kräver att vi "
        "bevarar dem.",
    ),
    "restriction": (
        "Rätt till begränsning av behandlingen",
        "Du har rätt att begära att vi begränsar behandlingen av dina uppgifter, till "
        "exempel medan vi utreder om uppgifterna är korrekta.",
    ),
    "objection": (
        "Rätt att invända mot behandlingen",
        "Du har rätt att av skäl som gäller din personliga situation invända mot "
        "behandling som grundar sig på berättigat intresse, och att när som helst invända "
        "mot direktmarknadsföring.",
    ),
    "portability": (
        "Rätt till dataportabilitet",
        "Du har rätt att få de uppgifter som du själv har lämnat i ett maskinläsbart "
        "format och att överföra dem till en annan personuppgiftsansvarig, när "
        "behandlingen grundar sig på samtycke eller avtal.",
    ),
    "withdraw_consent": (
        "Rätt att återkalla samtycke",
        "När behandlingen grundar sig på ditt samtycke kan du när som helst återkalla det. "
        "Återkallelsen påverkar inte lagligheten av behandlingen innan samtycket "
        "återkallades.",
    ),
    "complaint": (
        "Rätt att lämna in klagomål till tillsynsmyndigheten",
        "Du har rätt att lämna in ett klagomål till en tillsynsmyndighet om du anser att "
        "behandlingen av dina personuppgifter strider mot dataskyddsförordningen.",
    ),
}

# The Office of the Data Protection Ombudsman as it publishes itself (tietosuoja.fi,
# "Yhteystiedot" / "Kontaktuppgifter" / "Contact information").
AUTHORITY_EMAIL = "tietosuoja@om.fi"
AUTHORITY_NAME_FI = "Tietosuojavaltuutetun toimisto"
AUTHORITY = {
    "name_fi": AUTHORITY_NAME_FI,
    "name_sv": "Dataombudsmannens byrå",
    "name_en": "Office of the Data Protection Ombudsman",
    "street_address_fi": "PL 800, 00531 Helsinki",
    "street_address_sv": "PB 800, 00531 Helsingfors",
    "street_address_en": "P.O. Box 800, 00531 Helsinki, Finland",
    "phone": "029 566 6700",
    "email": AUTHORITY_EMAIL,
    "website": "https://tietosuoja.fi",
}
# What this migration corrects on an existing row; its names in Finnish and English stay.
AUTHORITY_CORRECTED = [
    "name_sv",
    "street_address",
    "street_address_fi",
    "street_address_sv",
    "street_address_en",
    "phone",
]


def _fill_legal_bases(LegalBasis):
    for order, (code, article, kind, (name_fi, name_en), (desc_fi, desc_en)) in enumerate(
        CATALOGUES.LEGAL_BASES, start=1
    ):
        name_sv, desc_sv = LEGAL_BASES_SV[code]
        basis, _created = LegalBasis.objects.get_or_create(
            code=code,
            defaults={
                "article": article,
                "kind": kind,
                "order": order,
                "name": name_fi,
                "name_fi": name_fi,
                "name_en": name_en,
                "description": desc_fi,
                "description_fi": desc_fi,
                "description_en": desc_en,
            },
        )
        basis.name_sv = name_sv
        basis.description_sv = desc_sv
        basis.save(update_fields=["name_sv", "description_sv"])


def _fill_rights(Right):
    for order, (code, article, omittable, (name_fi, name_en), (text_fi, text_en)) in enumerate(
        CATALOGUES.RIGHTS, start=1
    ):
        name_sv, text_sv = RIGHTS_SV[code]
        right, _created = Right.objects.get_or_create(
            code=code,
            defaults={
                "article": article,
                "can_be_omitted": omittable,
                "order": order,
                "name": name_fi,
                "name_fi": name_fi,
                "name_en": name_en,
                "default_text": text_fi,
                "default_text_fi": text_fi,
                "default_text_en": text_en,
            },
        )
        right.name_sv = name_sv
        right.default_text_sv = text_sv
        right.save(update_fields=["name_sv", "default_text_sv"])


def _correct_authority(SupervisoryAuthority):
    """Correct the Finnish office wherever it is; create it if it is not there.

    Matched by its email or its Finnish name, not by the default flag: a deployment
    that made another authority its default keeps it, and the Finnish office is
    corrected all the same. A created office is the default only if none is.
    """
    offices = SupervisoryAuthority.objects.filter(email=AUTHORITY_EMAIL) | (
        SupervisoryAuthority.objects.filter(name_fi=AUTHORITY_NAME_FI)
    )
    values = {
        **AUTHORITY,
        "name": AUTHORITY["name_fi"],
        "street_address": AUTHORITY["street_address_fi"],
    }
    if not offices.exists():
        SupervisoryAuthority.objects.create(
            **values,
            is_default=not SupervisoryAuthority.objects.filter(is_default=True).exists(),
        )
        return
    offices.update(**{field: values[field] for field in AUTHORITY_CORRECTED})


def fill_swedish_catalogues(apps, schema_editor):
    _fill_legal_bases(apps.get_model("notices", "LegalBasis"))
    _fill_rights(apps.get_model("notices", "Right"))
    _correct_authority(apps.get_model("notices", "SupervisoryAuthority"))


class Migration(migrations.Migration):
    dependencies = [("notices", "0004_swedish_and_languages")]

    operations = [migrations.RunPython(fill_swedish_catalogues, migrations.RunPython.noop)]
