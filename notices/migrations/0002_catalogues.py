"""Fill the shared catalogues: legal bases, data subject rights, the Finnish authority."""

from django.db import migrations

LEGAL_BASES = [
    # code, article, kind, (name fi, name en), (description fi, description en)
    (
        "6-1-a",
        "6(1)(a)",
        "art6",
        ("Suostumus", "Consent"),
        (
            "Rekisteröity on antanut suostumuksensa henkilötietojensa käsittelyyn yhtä tai "
            "useampaa erityistä tarkoitusta varten.",
            "The data subject has given consent to the processing of their personal data for "
            "one or more specific purposes.",
        ),
    ),
    (
        "6-1-b",
        "6(1)(b)",
        "art6",
        ("Sopimus", "Contract"),
        (
            "Käsittely on tarpeen rekisteröidyn osapuolena olevan sopimuksen täytäntöön "
            "panemiseksi tai sopimuksen tekemistä edeltävien toimenpiteiden toteuttamiseksi "
            "rekisteröidyn pyynnöstä.",
            "Processing is necessary for the performance of a contract to which the data subject "
            "is party, or to take steps at the data subject's request before entering into a "
            "contract.",
        ),
    ),
    (
        "6-1-c",
        "6(1)(c)",
        "art6",
        ("Lakisääteinen velvoite", "Legal obligation"),
        (
            "Käsittely on tarpeen rekisterinpitäjän lakisääteisen velvoitteen noudattamiseksi.",
            "Processing is necessary for compliance with a legal obligation to which the "
            "controller is subject.",
        ),
    ),
    (
        "6-1-d",
        "6(1)(d)",
        "art6",
        ("Elintärkeiden etujen suojaaminen", "Vital interests"),
        (
            "Käsittely on tarpeen rekisteröidyn tai toisen luonnollisen henkilön elintärkeiden "
            "etujen suojaamiseksi.",
            "Processing is necessary to protect the vital interests of the data subject or of "
            "another natural person.",
        ),
    ),
    (
        "6-1-e",
        "6(1)(e)",
        "art6",
        ("Yleisen edun mukainen tehtävä", "Public task"),
        (
            "Käsittely on tarpeen yleisen edun mukaisen tehtävän suorittamiseksi tai "
            "rekisterinpitäjälle kuuluvan julkisen vallan käyttämiseksi.",
            "Processing is necessary for the performance of a task carried out in the public "
            "interest or in the exercise of official authority vested in the controller.",
        ),
    ),
    (
        "6-1-f",
        "6(1)(f)",
        "art6",
        ("Oikeutettu etu", "Legitimate interests"),
        (
            "Käsittely on tarpeen rekisterinpitäjän tai kolmannen osapuolen oikeutettujen etujen "
            "toteuttamiseksi, paitsi milloin rekisteröidyn edut tai perusoikeudet ja -vapaudet "
            "ovat näiden etujen edellä.",
            "Processing is necessary for the legitimate interests pursued by the controller or by "
            "a third party, except where they are overridden by the interests or fundamental "
            "rights and freedoms of the data subject.",
        ),
    ),
    (
        "9-2-a",
        "9(2)(a)",
        "art9",
        ("Nimenomainen suostumus", "Explicit consent"),
        (
            "Rekisteröity on antanut nimenomaisen suostumuksensa erityisiin henkilötietoryhmiin "
            "kuuluvien tietojen käsittelyyn yhtä tai useampaa tarkoitusta varten.",
            "The data subject has given explicit consent to the processing of special "
            "categories of data for one or more specified purposes.",
        ),
    ),
    (
        "9-2-b",
        "9(2)(b)",
        "art9",
        ("Työ- ja sosiaaliturvaoikeus", "Employment and social security law"),
        (
            "Käsittely on tarpeen työoikeuden, sosiaaliturvan ja sosiaalisen suojelun alaan "
            "kuuluvien velvoitteiden ja oikeuksien noudattamiseksi.",
            "Processing is necessary for obligations and rights in the field of employment, "
            "social security and social protection law.",
        ),
    ),
    (
        "9-2-c",
        "9(2)(c)",
        "art9",
        (
            "Elintärkeät edut, kun suostumusta ei voida antaa",
            "Vital interests where consent cannot be given",
        ),
        (
            "Käsittely on tarpeen rekisteröidyn tai toisen henkilön elintärkeiden etujen "
            "suojaamiseksi, kun rekisteröity ei pysty antamaan suostumustaan.",
            "Processing is necessary to protect the vital interests of the data subject or of "
            "another person where the data subject cannot give consent.",
        ),
    ),
    (
        "9-2-d",
        "9(2)(d)",
        "art9",
        ("Voittoa tavoittelematon yhteisö", "Not-for-profit body"),
        (
            "Käsittely tapahtuu säätiön, yhdistyksen tai muun voittoa tavoittelemattoman "
            "yhteisön oikeutetun toiminnan yhteydessä sen jäsenistä tai säännöllisistä "
            "yhteyshenkilöistä.",
            "Processing is carried out in the legitimate activities of a foundation, association "
            "or other not-for-profit body, concerning its members or regular contacts.",
        ),
    ),
    (
        "9-2-e",
        "9(2)(e)",
        "art9",
        ("Rekisteröidyn julkistamat tiedot", "Data made public by the data subject"),
        (
            "Käsittely koskee henkilötietoja, jotka rekisteröity on ilmeisesti saattanut "
            "julkisiksi.",
            "Processing relates to personal data which are manifestly made public by the data "
            "subject.",
        ),
    ),
    (
        "9-2-f",
        "9(2)(f)",
        "art9",
        ("Oikeusvaateet", "Legal claims"),
        (
            "Käsittely on tarpeen oikeusvaateen laatimiseksi, esittämiseksi tai puolustamiseksi "
            "tai tuomioistuinten toimiessa lainkäyttötehtävissään.",
            "Processing is necessary for the establishment, exercise or defence of legal claims "
            "or whenever courts are acting in their judicial capacity.",
        ),
    ),
    (
        "9-2-g",
        "9(2)(g)",
        "art9",
        ("Tärkeä yleinen etu", "Substantial public interest"),
        (
            "Käsittely on tarpeen tärkeää yleistä etua koskevasta syystä lainsäädännön "
            "perusteella.",
            "Processing is necessary for reasons of substantial public interest on the basis of "
            "law.",
        ),
    ),
    (
        "9-2-h",
        "9(2)(h)",
        "art9",
        ("Terveyden- ja sosiaalihuolto", "Health and social care"),
        (
            "Käsittely on tarpeen ennaltaehkäisevää terveydenhuoltoa tai työterveyshuoltoa, "
            "lääketieteellistä diagnoosia tai terveydenhuollon tai sosiaalihuollon palveluja "
            "varten.",
            "Processing is necessary for preventive or occupational medicine, medical diagnosis, "
            "or the provision of health or social care.",
        ),
    ),
    (
        "9-2-i",
        "9(2)(i)",
        "art9",
        ("Kansanterveys", "Public health"),
        (
            "Käsittely on tarpeen kansanterveyteen liittyvää yleistä etua koskevista syistä.",
            "Processing is necessary for reasons of public interest in the area of public "
            "health.",
        ),
    ),
    (
        "9-2-j",
        "9(2)(j)",
        "art9",
        ("Arkistointi, tutkimus ja tilastointi", "Archiving, research and statistics"),
        (
            "Käsittely on tarpeen yleisen edun mukaisia arkistointitarkoituksia, tieteellisiä "
            "tai historiallisia tutkimustarkoituksia tai tilastollisia tarkoituksia varten.",
            "Processing is necessary for archiving purposes in the public interest, scientific "
            "or historical research purposes or statistical purposes.",
        ),
    ),
]

RIGHTS = [
    # code, article, can be omitted, (name fi, name en), (text fi, text en)
    (
        "access",
        "15",
        False,
        ("Oikeus saada pääsy tietoihin", "Right of access"),
        (
            "Sinulla on oikeus saada tieto siitä, käsittelemmekö henkilötietojasi, ja saada "
            "jäljennös tiedoistasi.",
            "You have the right to know whether we process your personal data and to receive a "
            "copy of it.",
        ),
    ),
    (
        "rectification",
        "16",
        False,
        ("Oikeus tietojen oikaisemiseen", "Right to rectification"),
        (
            "Sinulla on oikeus vaatia, että virheelliset tai puutteelliset tietosi oikaistaan "
            "tai täydennetään.",
            "You have the right to have inaccurate or incomplete personal data corrected or "
            "completed.",
        ),
    ),
    (
        "erasure",
        "17",
        True,
        ("Oikeus tietojen poistamiseen", "Right to erasure"),
        (
            "Sinulla on oikeus pyytää tietojesi poistamista, kun niitä ei enää tarvita tai "
            "käsittelylle ei ole perustetta, ellei laki velvoita säilyttämään niitä.",
            "You have the right to ask us to erase your data when it is no longer needed or "
            "there is no basis for processing it, unless the law requires us to keep it.",
        ),
    ),
    (
        "restriction",
        "18",
        False,
        ("Oikeus käsittelyn rajoittamiseen", "Right to restriction of processing"),
        (
            "Sinulla on oikeus pyytää, että rajoitamme tietojesi käsittelyä esimerkiksi siksi "
            "aikaa, kun selvitämme tietojen paikkansapitävyyttä.",
            "You have the right to ask us to restrict the processing of your data, for example "
            "while we check whether it is accurate.",
        ),
    ),
    (
        "objection",
        "21",
        True,
        ("Oikeus vastustaa käsittelyä", "Right to object"),
        (
            "Sinulla on oikeus vastustaa oikeutettuun etuun perustuvaa käsittelyä "
            "henkilökohtaiseen tilanteeseesi liittyvällä perusteella sekä kieltää "
            "suoramarkkinointi milloin tahansa.",
            "You have the right to object to processing based on legitimate interests on grounds "
            "relating to your situation, and to object to direct marketing at any time.",
        ),
    ),
    (
        "portability",
        "20",
        True,
        ("Oikeus siirtää tiedot järjestelmästä toiseen", "Right to data portability"),
        (
            "Sinulla on oikeus saada antamasi tiedot koneluettavassa muodossa ja siirtää ne "
            "toiselle rekisterinpitäjälle, kun käsittely perustuu suostumukseen tai sopimukseen.",
            "You have the right to receive the data you have provided in a machine-readable "
            "format and to transfer it to another controller, where processing rests on consent "
            "or a contract.",
        ),
    ),
    (
        "withdraw_consent",
        "7(3)",
        True,
        ("Oikeus peruuttaa suostumus", "Right to withdraw consent"),
        (
            "Kun käsittely perustuu suostumukseesi, voit peruuttaa suostumuksesi milloin "
            "tahansa. Peruuttaminen ei vaikuta sitä ennen tehdyn käsittelyn lainmukaisuuteen.",
            "Where processing rests on your consent, you may withdraw it at any time. Withdrawal "
            "does not affect the lawfulness of processing before it.",
        ),
    ),
    (
        "complaint",
        "77",
        False,
        ("Oikeus tehdä valitus valvontaviranomaiselle", "Right to lodge a complaint"),
        (
            "Sinulla on oikeus tehdä valitus valvontaviranomaiselle, jos katsot, että "
            "henkilötietojesi käsittelyssä rikotaan tietosuoja-asetusta.",
            "You have the right to lodge a complaint with a supervisory authority if you "
            "consider that the processing of your data infringes the GDPR.",
        ),
    ),
]


def fill_catalogues(apps, schema_editor):
    LegalBasis = apps.get_model("notices", "LegalBasis")
    Right = apps.get_model("notices", "Right")
    SupervisoryAuthority = apps.get_model("notices", "SupervisoryAuthority")
    for order, (code, article, kind, (name_fi, name_en), (desc_fi, desc_en)) in enumerate(
        LEGAL_BASES, start=1
    ):
        LegalBasis.objects.update_or_create(
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
    for order, (code, article, omittable, (name_fi, name_en), (text_fi, text_en)) in enumerate(
        RIGHTS, start=1
    ):
        Right.objects.update_or_create(
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
    SupervisoryAuthority.objects.update_or_create(
        email="tietosuoja@om.fi",
        defaults={
            "name": "Tietosuojavaltuutetun toimisto",
            "name_fi": "Tietosuojavaltuutetun toimisto",
            "name_en": "Office of the Data Protection Ombudsman",
            "street_address": "PL 800, 00521 Helsinki",
            "street_address_fi": "PL 800, 00521 Helsinki",
            "street_address_en": "P.O. Box 800, FI-00521 Helsinki, Finland",
            "phone": "029 56 66700",
            "website": "https://tietosuoja.fi",
            "is_default": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(fill_catalogues, migrations.RunPython.noop)]
