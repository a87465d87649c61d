"""Every route refuses a body above the limit before reading or parsing it (413, problem+json),
whether the size is declared or the body comes in chunks; nothing is written."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from beredskap.platform.auth.models import Role
from beredskap.register.organisations.models import Organisation
from tests.support.api import ApiHarness

LIMIT = 1_048_576  # the default BEREDSKAP_MAX_REQUEST_BODY_BYTES


def _organisations(api: ApiHarness) -> int:
    return api.session.scalar(select(func.count()).select_from(Organisation)) or 0


def test_a_declared_body_above_the_limit_is_refused_before_the_login_check(
    api: ApiHarness,
) -> None:
    before = _organisations(api)
    body = b'{"name": "' + b"x" * (2 * LIMIT) + b'"}'
    response = api.client.post(
        "/api/v1/organisations", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413  # not 401: nothing was read to find out who asks
    assert response.headers["content-type"].startswith("application/problem+json")
    assert str(LIMIT) in response.json()["detail"]
    assert _organisations(api) == before


def test_a_chunked_body_is_cut_off_at_the_limit(api: ApiHarness) -> None:
    before = _organisations(api)

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(40):
            yield b"x" * 65_536
        yield b'"}'

    response = api.client.post(
        "/api/v1/organisations",
        content=chunks(),
        headers=api.headers(Role.ADMIN) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _organisations(api) == before


def test_a_garbled_length_is_refused_and_a_small_body_passes(api: ApiHarness) -> None:
    garbled = api.client.post(
        "/api/v1/organisations", content=b"{}", headers={"Content-Length": "12x"}
    )
    assert garbled.status_code in (400, 413)
    small = api.post(Role.ADMIN, "/api/v1/organisations", json={"name": "x"})
    assert small.status_code == 422  # read and checked as before
