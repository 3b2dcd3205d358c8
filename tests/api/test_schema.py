"""Schemathesis over ``/api/v1/openapi.json``: whatever the input, never a 5xx, and every
answer has a documented status, media type and body schema.

Each operation gets schema-valid (positive) and schema-breaking (negative) cases, sent as a
national administrator through an API token (so generated calls to ``/auth/logout`` cannot
end the run's own session), on SQLite and on PostgreSQL. ``negative_data_rejection`` is left
out on purpose: like most HTTP APIs, this one ignores query parameters it does not know.

The cases are drawn with ``operation.as_strategy`` under plain Hypothesis rather than
``schema.parametrize``: schemathesis's pytest integration renames test nodes through a
private pytest attribute (``_nodeid``) that pytest 9 no longer has.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Api

MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _failure_of(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> str | None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        return None  # nothing to break: the operation takes no input (negative mode)
    except (Exception, BaseExceptionGroup) as exc:  # one entry per failing operation
        return f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"
    return None


def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(api: Api) -> None:
    created = api.post("nat-admin", "/api/v1/tokens", json={"name": "schemathesis"})
    headers = {"Authorization": f"Bearer {created.json()['token']}"}
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.app)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation of the document is well-formed
        operations.append(result.ok())
    assert len(operations) >= 20
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := _failure_of(operation, mode, headers)) is not None
    ]
    assert failures == [], "\n\n".join(failures)
