import pytest

from oneteam.worktime import services


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each worktime test starts from the database's calendar; afterwards the
    process cache is put back as it was, so a notice loaded (and rolled back)
    here never leaks into another app's tests, and they do not pay a rebuild."""
    saved = (services._cache.calendar, services._cache.version, services._cache.checked_at)
    services.invalidate_calendar()
    yield
    services._cache.calendar, services._cache.version, services._cache.checked_at = saved
