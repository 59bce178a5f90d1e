"""schemathesis against the service's own OpenAPI schema: no 5xx, answers as documented.

Bounded (a few examples per operation): this checks the schema and the handlers agree, and
that no generated input crashes one; the behaviour itself is tested in test_server.py.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from servicekit import TOKEN, make_service

from narrate.server import create_app
from narrate.service import service_queue

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _app() -> Any:
    # Built at import: schemathesis makes one test per operation when the module is collected.
    root = Path(tempfile.mkdtemp(prefix="narrate-openapi-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    service = make_service(root)
    return create_app(service, service_queue(service))


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture
def app() -> Any:
    return APP


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_the_api_answers_as_its_schema_says(case: Any) -> None:
    # Authenticated, so that writes reach the payload checks rather than stopping at 401.
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)


def test_the_schema_documents_the_write_body_and_errors(app: Any) -> None:
    from servicekit import request

    document = request(app, "GET", "/openapi.json").json()
    post = document["paths"]["/v1/articles"]["post"]
    shapes = post["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert [shape["title"].split(" ")[0] for shape in shapes] == ["Generic", "WordPress", "Ghost"]
    assert {"202", "200", "400", "401", "413", "422"} <= set(post["responses"])
