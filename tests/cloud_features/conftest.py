"""Fixtures of the app-feature tests: the cloud fixtures (SQLite and PostgreSQL, one
database per test) plus a real lock core wired to the cloud through its link messages.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cloud.conftest import database_url, pg_template, services, settings  # noqa: F401
from smartlock.cloud.app import create_app
from smartlock.cloud.services import Services


@pytest.fixture
def app(services: Services) -> FastAPI:  # noqa: F811 - the imported fixture
    # The features worker is driven by hand (features_worker.run_once) for determinism.
    return create_app(services.settings, services=services, with_link=False, with_features=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c
