"""Issue 13, finding 5: a NUL character in a token name or a channel label was a 500
on PostgreSQL (it cannot store one). Now it is a clear 422 on every database.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from .helpers import API, PASSWORD, sign_up, user


def test_nul_in_token_name_and_channel_label_is_a_clear_422_issue13_finding5(
    client: TestClient,
) -> None:
    sign_up(client, "ann@example.org")
    r = client.post(
        f"{API}/auth/tokens",
        json={"email": "ann@example.org", "password": PASSWORD, "name": "phone\u0000"},
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_request", r.text
    headers = user(client, "bob@example.org")
    r = client.post(
        f"{API}/notifications/channels",
        json={"url": "json://example.org/hook", "label": "a\u0000b"},
        headers=headers,
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_request", r.text
    # The same requests without the NUL still work (the check is not a blanket refusal).
    r = client.post(
        f"{API}/auth/tokens",
        json={"email": "ann@example.org", "password": PASSWORD, "name": "phone"},
    )
    assert r.status_code == 201, r.text


def test_nul_in_a_query_never_reaches_the_database_as_a_500_issue13_finding5(
    client: TestClient,
) -> None:
    headers = user(client, "ann@example.org")
    r = client.get(f"{API}/devices/ab%00cd", headers=headers)
    assert 400 <= r.status_code < 500, r.text
