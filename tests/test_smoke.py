from notices.models import LegalBasis


def test_catalogue_migration_fills_legal_bases(db):
    assert LegalBasis.objects.count() == 16
