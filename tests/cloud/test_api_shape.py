"""The API's contract: OpenAPI at /docs, typed responses everywhere, settings that
match the lock's own list (A-SETTINGS), one error shape."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.testclient import TestClient

from smartlock.cloud.schemas import LockSettings
from smartlock.device.core.settings import DESCRIPTORS


def test_every_operation_has_a_typed_success_response_A_SETTINGS(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
            content = ok.get("content", {})
            if path.endswith("/live"):
                assert "text/event-stream" in content
                continue
            if path.endswith(".jpg"):  # face-masked pictures (A-LIVE)
                assert list(content) == ["image/jpeg"], (method, path)
                continue
            schema = content["application/json"]["schema"]
            assert "$ref" in schema, (method, path)
            assert "422" in op["responses"] or method == "get", (method, path)


def test_cloud_settings_are_the_locks_settings_A_SETTINGS() -> None:
    """A setting the lock gains must be added here too (and the reverse)."""
    lock_names = {d.name for d in DESCRIPTORS}
    assert set(LockSettings.model_fields) == lock_names
    for d in DESCRIPTORS:
        if d.minimum is not None:
            too_low = {d.name: d.minimum - 1}
            assert not _valid(too_low), d.name
            assert _valid({d.name: d.minimum}), d.name
        if d.choices:
            for choice in d.choices:
                assert _valid({d.name: choice}), (d.name, choice)


def _valid(values: Mapping[str, object]) -> bool:
    try:
        LockSettings.model_validate(values)
    except ValueError:
        return False
    return True


def test_unknown_route_uses_the_error_shape(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
