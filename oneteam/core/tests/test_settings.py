"""Database settings read from the environment (``oneteam.settings``)."""

import json
import os
import subprocess
import sys

import pytest

PROBE = "import json; from oneteam import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"


def _options(**env) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True,
                         env={**{k: v for k, v in os.environ.items() if not k.startswith("ONETEAM_PG_")}, **env})
    return json.loads(out.stdout)


@pytest.mark.parametrize(("jit", "expected"), [(None, "-c jit=off"), ("0", "-c jit=off"), ("1", None)])
def test_postgresql_jit_off_unless_asked_for(jit, expected):
    env = {"DATABASE_URL": "postgres://someone@db.example:5432/oneteam"}
    if jit is not None:
        env["ONETEAM_PG_JIT"] = jit
    options = _options(**env)
    assert options.get("options") == expected
    assert options["server_side_binding"] is True


def test_sqlite_gets_no_postgresql_options():
    options = _options(DATABASE_URL="sqlite:///tmp-oneteam-probe.sqlite3")
    assert "options" not in options and "server_side_binding" not in options


@pytest.mark.parametrize("url", ["sqlite:///tmp-oneteam-probe.sqlite3", "postgres://someone@db.example:5432/oneteam"])
@pytest.mark.parametrize(("age", "expected"), [(None, 60), ("0", 0), ("300", 300)])
def test_connections_persist_on_both_backends(url, age, expected):
    env = {k: v for k, v in os.environ.items() if k != "CONN_MAX_AGE"}
    env["DATABASE_URL"] = url
    if age is not None:
        env["CONN_MAX_AGE"] = age
    probe = "from oneteam import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert int(out.stdout) == expected
