"""The committed OpenAPI file (docs/openapi.yaml) is the API's contract: it
must match what the code generates (regenerate with `make schema`)."""

from pathlib import Path

import pytest
from django.core.management import call_command

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml"


@pytest.mark.django_db
def test_openapi_schema_is_current(tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("integer bounds in the schema follow the database backend; the file is generated on SQLite")
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    assert SCHEMA.exists(), "docs/openapi.yaml is missing: run `make schema`"
    assert out.read_text() == SCHEMA.read_text(), "docs/openapi.yaml is stale: run `make schema` and commit it"
