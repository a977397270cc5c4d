"""Accounts: sign up / in / out, throttling, password change, cookie vs bearer, CSRF
(A-ACCOUNT)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from smartlock.cloud.core.config import Settings
from smartlock.cloud.models import AuthToken
from smartlock.cloud.services import Services

from .helpers import API, PASSWORD, bearer, sign_up


def test_sign_up_then_sign_in_with_bearer_token_A_ACCOUNT(client: TestClient) -> None:
    account = sign_up(client, "Ann@Example.org")
    assert account["email"] == "ann@example.org"
    headers = bearer(client, "ann@example.org")
    me = client.get(f"{API}/account", headers=headers)
    assert me.status_code == 200
    assert me.json()["email"] == "ann@example.org"


def test_sign_up_does_not_disclose_a_taken_email_issue13_finding7_A_ACCOUNT(
    client: TestClient,
) -> None:
    """The second sign-up gets the first one's answer and changes nothing."""
    first = client.post(
        f"{API}/auth/signup", json={"email": "ann@example.org", "password": PASSWORD}
    )
    again = client.post(
        f"{API}/auth/signup", json={"email": "ANN@example.org", "password": "other horse staple"}
    )
    assert (
        (first.status_code, first.json())
        == (again.status_code, again.json())
        == (
            201,
            {"email": "ann@example.org", "message": first.json()["message"]},
        )
    )
    bearer(client, "ann@example.org")  # the original password still signs in
    r = client.post(
        f"{API}/auth/tokens", json={"email": "ann@example.org", "password": "other horse staple"}
    )
    assert r.status_code == 401


def test_short_password_is_refused_A_ACCOUNT(client: TestClient) -> None:
    r = client.post(f"{API}/auth/signup", json={"email": "a@example.org", "password": "short"})
    assert r.status_code == 422
    assert r.json()["code"] == "weak_password"


def test_password_is_stored_hashed_with_argon2id_A_ACCOUNT(
    client: TestClient, services: Services
) -> None:
    sign_up(client, "ann@example.org")
    from smartlock.cloud import crud

    with services.sessionmaker() as s:
        account = crud.get_account_by_email(s, email="ann@example.org")
        assert account is not None
        assert account.password_hash.startswith("$argon2id$")
        assert PASSWORD not in account.password_hash


def test_bearer_token_is_stored_only_as_a_hash_A_ACCOUNT(
    client: TestClient, services: Services
) -> None:
    sign_up(client, "ann@example.org")
    token = bearer(client, "ann@example.org")["Authorization"].split()[1]
    with services.sessionmaker() as s:
        hashes = [t.token_hash for t in s.query(AuthToken).all()]
    assert hashes and token not in hashes


def test_wrong_password_is_refused_and_unknown_email_looks_the_same_A_ACCOUNT(
    client: TestClient,
) -> None:
    sign_up(client, "ann@example.org")
    wrong = client.post(
        f"{API}/auth/tokens", json={"email": "ann@example.org", "password": "x" * 12}
    )
    nobody = client.post(
        f"{API}/auth/tokens", json={"email": "bob@example.org", "password": "x" * 12}
    )
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json()


def test_failed_sign_ins_lock_the_account_even_with_the_right_password_A_ACCOUNT(
    client: TestClient,
) -> None:
    sign_up(client, "ann@example.org")
    for _ in range(5):
        r = client.post(
            f"{API}/auth/session", json={"email": "ann@example.org", "password": "nope" * 3}
        )
        assert r.status_code == 401
    r = client.post(f"{API}/auth/session", json={"email": "ann@example.org", "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["code"] == "too_many_attempts"
    assert int(r.headers["Retry-After"]) > 0


def test_failed_sign_ins_are_throttled_per_client_address_A_ACCOUNT(client: TestClient) -> None:
    """Guessing across many accounts from one address is stopped too."""
    sign_up(client, "ann@example.org")
    for i in range(20):
        r = client.post(
            f"{API}/auth/tokens", json={"email": f"guess{i}@example.org", "password": "nope" * 3}
        )
        assert r.status_code == 401
    r = client.post(f"{API}/auth/tokens", json={"email": "ann@example.org", "password": PASSWORD})
    assert r.status_code == 429


def test_throttle_is_shared_by_workers_on_one_database_A_ACCOUNT(
    client: TestClient, settings: Settings
) -> None:
    """A second worker (another app on the same database) sees the lockout."""
    from smartlock.cloud.app import create_app

    sign_up(client, "ann@example.org")
    for _ in range(5):
        client.post(f"{API}/auth/tokens", json={"email": "ann@example.org", "password": "nope" * 3})
    other = create_app(settings, with_link=False)
    with TestClient(other) as second:
        r = second.post(
            f"{API}/auth/tokens", json={"email": "ann@example.org", "password": PASSWORD}
        )
    assert r.status_code == 429


def test_cookie_session_needs_csrf_header_for_changes_A_ACCOUNT(client: TestClient) -> None:
    sign_up(client, "ann@example.org")
    r = client.post(f"{API}/auth/session", json={"email": "ann@example.org", "password": PASSWORD})
    assert r.status_code == 200
    set_cookie = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookie if c.startswith("smartlock_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    csrf = r.json()["csrf_token"]
    assert client.get(f"{API}/account").status_code == 200  # reading needs no token
    body = {"current_password": PASSWORD, "new_password": "another long password"}
    refused = client.put(f"{API}/account/password", json=body)
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    forged = client.put(f"{API}/account/password", json=body, headers={"X-CSRF-Token": "0" * 64})
    assert forged.status_code == 403
    ok = client.put(f"{API}/account/password", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200


def test_bearer_requests_need_no_csrf_header_A_ACCOUNT(client: TestClient) -> None:
    sign_up(client, "ann@example.org")
    headers = bearer(client, "ann@example.org")
    body = {"current_password": PASSWORD, "new_password": "another long password"}
    assert client.put(f"{API}/account/password", json=body, headers=headers).status_code == 200


def test_sign_out_ends_the_session_A_ACCOUNT(client: TestClient) -> None:
    sign_up(client, "ann@example.org")
    r = client.post(f"{API}/auth/session", json={"email": "ann@example.org", "password": PASSWORD})
    csrf = r.json()["csrf_token"]
    cookie = client.cookies.get("smartlock_session")
    out = client.post(f"{API}/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 200
    # Replaying the old cookie after sign-out does not work.
    client.cookies.set("smartlock_session", cookie)
    assert client.get(f"{API}/account").status_code == 401


def test_sign_out_revokes_the_bearer_token_A_ACCOUNT(client: TestClient) -> None:
    sign_up(client, "ann@example.org")
    headers = bearer(client, "ann@example.org")
    assert client.post(f"{API}/auth/logout", headers=headers).status_code == 200
    r = client.get(f"{API}/account", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "bad_token"


def test_change_password_ends_other_sessions_and_old_password_fails_A_ACCOUNT(
    client: TestClient,
) -> None:
    sign_up(client, "ann@example.org")
    first, second = bearer(client, "ann@example.org"), bearer(client, "ann@example.org")
    body = {"current_password": PASSWORD, "new_password": "another long password"}
    assert client.put(f"{API}/account/password", json=body, headers=first).status_code == 200
    assert client.get(f"{API}/account", headers=first).status_code == 200
    assert client.get(f"{API}/account", headers=second).status_code == 401
    old = client.post(f"{API}/auth/tokens", json={"email": "ann@example.org", "password": PASSWORD})
    assert old.status_code == 401
    bearer(client, "ann@example.org", "another long password")


def test_change_password_with_wrong_current_password_changes_nothing_A_ACCOUNT(
    client: TestClient,
) -> None:
    sign_up(client, "ann@example.org")
    headers = bearer(client, "ann@example.org")
    body = {"current_password": "wrong password", "new_password": "another long password"}
    r = client.put(f"{API}/account/password", json=body, headers=headers)
    assert r.status_code == 401
    bearer(client, "ann@example.org")  # old password still works


def test_requests_without_credentials_are_refused_A_ACCOUNT(client: TestClient) -> None:
    r = client.get(f"{API}/devices")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    r = client.get(f"{API}/devices", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401 and r.json()["code"] == "bad_auth_header"


def test_tokens_can_be_listed_and_revoked_A_ACCOUNT(client: TestClient) -> None:
    sign_up(client, "ann@example.org")
    headers = bearer(client, "ann@example.org")
    other = bearer(client, "ann@example.org")
    listed = client.get(f"{API}/auth/tokens", headers=headers).json()
    assert listed["count"] == 2
    assert all("access_token" not in t for t in listed["data"])
    victim = listed["data"][1]["id"]
    assert client.delete(f"{API}/auth/tokens/{victim}", headers=headers).status_code == 200
    assert client.get(f"{API}/account", headers=other).status_code == 401
