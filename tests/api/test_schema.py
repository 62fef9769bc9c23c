"""The OpenAPI schema is valid, and the live API keeps to it under fuzzing (schemathesis)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.api.conftest import make_world

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.django_db
def test_the_schema_validates_without_a_warning(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/v1/matches/", "/api/v1/demands/", "/api/v1/events/{id}/meetings/", "/api/v1/delegations/"):
        assert f"  {path}:" in schema


@pytest.mark.django_db
def test_the_docs_page_is_served_without_a_cdn(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "//unpkg" not in page
    bundle = next(part.split('"')[0] for part in page.split('src="')[1:] if "swagger-ui-bundle" in part)
    assert client.get(bundle).status_code == 200  # served from our static files


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(live_server, reference_data, tmp_path):
    """Examples, boundary and negative cases, random fuzzing and stateful sequences (POST a demand,
    then read it back) with a read-write key.  Every response must be documented and match its schema.

    Two checks are left out by decision: ``negative_data_rejection`` (an empty filter, such as
    ``?kind=``, means "no filter", as in HTML forms) and ``positive_data_acceptance`` (a sector slug
    is documented as a string, and an unknown one is refused with 400).
    """
    world = make_world()
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Bearer {world.keys['write_key']}",
            "--checks",
            "all",
            "--exclude-checks",
            "negative_data_rejection,positive_data_acceptance",
            "--max-time",
            "40",
            "--workers",
            "1",
            "--seed",
            "20261124",
            "--no-color",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = result.stdout[-4000:]
    assert result.returncode == 0, summary
    assert "13/13" in summary  # every operation was tested
