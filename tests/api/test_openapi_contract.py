"""The OpenAPI document is true: schemathesis drives every operation of a live server with it.

Run alone with ``pytest -m contract``; it finishes in well under a minute.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from suppression.services.api_clients import api_client_create

from ..factories import bounce

pytestmark = [pytest.mark.contract, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "40"))  # per operation; CI may raise it
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


def test_the_document_describes_every_endpoint(client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/suppressions/{address}",
        "/api/v1/suppressions/check",
        "/api/v1/suppressions/changes",
        "/api/v1/bounces",
    }
    schemas = document["components"]["schemas"]
    assert {"CheckIn", "IngestIn", "BounceEventIn", "ErrorOut"} <= set(schemas)
    # every $ref points at something that exists
    refs = {part.split('"')[0] for part in json.dumps(document).split('"$ref": "')[1:]}
    assert all(ref.removeprefix("#/components/schemas/") in schemas for ref in refs)


def test_schemathesis_finds_no_server_error_and_no_response_off_the_document(
    live_server, live_server_connections_close
) -> None:
    token = api_client_create(name="contract", scopes=["check", "ingest"], actor=None).token
    bounce("ann@example.com")  # so that checks and the feed have something to say
    # ninja writes OpenAPI 3.1 (nullable fields as anyOf null), which 3.39 supports behind a flag
    schemathesis.experimental.OPEN_API_3_1.enable()
    schema = schemathesis.from_uri(
        f"{live_server.url}/api/v1/openapi.json", base_url=live_server.url
    )
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS)

        run()

    # Generated bodies rarely name a suppressed address: check both answer forms with one that is.
    check = next(op for op in operations if op.path.endswith("/suppressions/check"))
    for form in ("full", "compact"):
        case = check.make_case(
            body={"emails": ["Ann@Example.com", "not-an-address"]}, query={"form": form}
        )
        response = case.call(headers=headers, timeout=30)
        case.validate_response(response, checks=CHECKS)
        answer = response.json()["suppressed"]["Ann@Example.com"]
        assert (answer if form == "compact" else answer["reason"]) == "mailbox_unknown"
