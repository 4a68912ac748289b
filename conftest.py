"""Project-wide pytest fixtures."""

import pytest


@pytest.fixture
def cast(db):
    from oneteam.core.testing import make_cast

    return make_cast()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Query counts must not depend on when the calendar last checked for a new notice.
    settings.ONETEAM = {**settings.ONETEAM, "WORKTIME_CHECK_SECONDS": 3600}


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """The point index and the reference-data memos are kept per process;
    tests create (and roll back) their own grids, bodies and catalogs."""
    from oneteam.core import memo
    from oneteam.org import geo

    geo.invalidate()
    memo.clear_all()
    yield
    geo.invalidate()
    memo.clear_all()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the project's language: a request made in English
    (the locale middleware activates it for the thread) must not leave later
    tests' messages in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
