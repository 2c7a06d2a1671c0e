"""Fixtures for backend integration tests: a fresh moto-backed sandbox per test."""

from __future__ import annotations

import pytest

from tests.integration.support import load_event, partners


@pytest.fixture
def backend():
    from helpline.sandbox import local_backend

    with local_backend(partners(), country="pl") as b:
        yield b


@pytest.fixture
def case_id(backend) -> str:
    response = backend.invoke("create_case", load_event("create_case"))
    assert response["status"] == "ok", response
    return response["case_id"]
