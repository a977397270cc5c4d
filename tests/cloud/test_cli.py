"""`smartlock cloud …`: no default password anywhere; the server starts and serves
(A-ACCOUNT)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from smartlock.cli import main
from smartlock.link.broker import free_port


def test_create_user_shows_a_generated_password_once_A_ACCOUNT(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert main(["cloud", "create-user", "--data-dir", str(data), "Op@Example.org"]) == 0
    out = capsys.readouterr().out
    password = out.strip().splitlines()[-1].split(": ", 1)[1]
    assert len(password) >= 16
    assert main(["cloud", "create-user", "--data-dir", str(data), "op@example.org"]) == 1
    again = capsys.readouterr().out
    assert password not in again
    assert (data / "master.key").stat().st_mode & 0o777 == 0o600
    # The password is not in the database in clear.
    assert password.encode() not in (data / "cloud.sqlite3").read_bytes()


@pytest.mark.integration
def test_serve_answers_on_localhost_A_ACCOUNT(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTLOCK_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smartlock.cli",
            "cloud",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert r.status_code == 200 and "/api/v1/auth/signup" in r.json()["paths"]
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/tokens",
            json={"email": "admin@example.org", "password": "admin"},
        )
        assert r.status_code == 401  # no default account
    finally:
        proc.terminate()
        proc.wait(10)
