import pytest


@pytest.fixture(autouse=True)
def _ledger_key_in_tmp(settings, tmp_path, monkeypatch):
    """Every test gets its own data directory, so the signing key is created fresh."""
    monkeypatch.delenv("ONETEAM_LEDGER_KEY", raising=False)
    settings.DATA_DIR = tmp_path


@pytest.fixture
def ledger_urls(settings):
    """Mount the ledger pages and API (until oneteam/urls.py includes them)."""
    settings.ROOT_URLCONF = "oneteam.ledger.tests.urls"
