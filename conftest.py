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
def _fresh_grid_index():
    """The point index is cached per process; tests create their own grids."""
    from oneteam.catalog import resolver
    from oneteam.org import geo

    geo.invalidate()
    resolver.invalidate()
    yield
    geo.invalidate()
    resolver.invalidate()
