"""Mosquitto password-file lines, so the cloud can register a paired lock's user.

Mosquitto 2 stores `username:$7$<iterations>$<salt>$<hash>` with PBKDF2-SHA512 and
standard base64; we write the same format (what `mosquitto_passwd -b` writes), so
broker passwords are only ever at rest as hashes. Mosquitto reads the file again only
when told (SIGHUP); `reload_broker` runs the deployment's reload command after each
change (e.g. `systemctl reload mosquitto`, whose unit sends the SIGHUP).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import shlex
import subprocess
import tempfile
from pathlib import Path

from smartlock.errors import ErrorCode, Fault, SmartlockError

ITERATIONS = 101  # mosquitto_passwd's default for $7$
SALT_BYTES = 12


def password_line(username: str, password: str, *, iterations: int = ITERATIONS) -> str:
    """One password-file line for `username` (no trailing newline)."""
    if not username or ":" in username or "\n" in username:
        raise ValueError(f"bad broker username {username!r}")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    b64 = base64.b64encode
    return f"{username}:$7${iterations}${b64(salt).decode()}${b64(digest).decode()}"


def verify_line(line: str, password: str) -> bool:
    """True if `password` matches a `$7$` line (for tests and tooling)."""
    _, _, rest = line.strip().partition(":")
    parts = rest.split("$")
    if len(parts) != 5 or parts[1] != "7":
        return False
    salt, want = base64.b64decode(parts[3]), base64.b64decode(parts[4])
    got = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, int(parts[2]))
    return secrets.compare_digest(got, want)


def database_record(password: str, *, iterations: int = ITERATIONS) -> tuple[str, str]:
    """(hash, salt) as hex text for a broker that reads logins from SQL (EMQX's
    PostgreSQL authenticator with pbkdf2/sha512, ``dk_length`` 64: deploy/emqx).
    """
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt.encode(), iterations, 64)
    return digest.hex(), salt


def verify_record(password: str, password_hash: str, salt: str) -> bool:
    """True if ``password`` matches a ``database_record`` (for tests and tooling)."""
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt.encode(), ITERATIONS, 64)
    return secrets.compare_digest(digest.hex(), password_hash)


def add_user(path: Path, username: str, password: str) -> None:
    """Add or replace `username` in the password file atomically (mode 0600)."""
    path = Path(path)
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    kept = [ln for ln in lines if ln and ln.split(":", 1)[0] != username]
    _write(path, [*kept, password_line(username, password)])


def remove_user(path: Path, username: str) -> None:
    """Drop `username` from the password file (a lock was unbound or reset)."""
    path = Path(path)
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    _write(path, [ln for ln in lines if ln and ln.split(":", 1)[0] != username])


def _write(path: Path, lines: list[str]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".passwd-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("".join(ln + "\n" for ln in lines))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


class BrokerReloadError(SmartlockError, RuntimeError):
    """The broker could not be told to re-read its password file."""

    code = ErrorCode.BROKER_RELOAD_FAILED
    fault = Fault.OURS


def reload_broker(command: str, timeout_s: float = 10.0) -> None:
    """Run the reload command (split like a shell would, but no shell is used)."""
    argv = shlex.split(command)
    if not argv:
        raise BrokerReloadError("empty broker reload command")
    try:
        # The command comes from the operator's settings, never from a request.
        done = subprocess.run(argv, capture_output=True, timeout=timeout_s, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BrokerReloadError(f"broker reload {argv[0]!r} failed: {exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip()[:200]
        raise BrokerReloadError(f"broker reload exited {done.returncode}: {detail}")
