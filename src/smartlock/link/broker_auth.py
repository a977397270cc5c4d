"""Logins for the embedded amqtt broker from a Mosquitto-format password file.

The demo's broker requires logins like production (issue: an anonymous broker let
anyone on the host read every topic and inject messages). The file is the one the
cloud writes at pairing (`broker_accounts`, PBKDF2-SHA512 `$7$` lines); it is read
again at each connect, so a newly paired lock can log in at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amqtt.plugins.base import BaseAuthPlugin

from smartlock.link.broker_accounts import verify_line


def check_login(password_file: Path, username: str | None, password: str | None) -> bool:
    """True if `username` is in the file and `password` matches its hash."""
    if not username or password is None:
        return False
    try:
        lines = Path(password_file).read_text("utf-8").splitlines()
    except OSError:
        return False
    for line in lines:
        if line.split(":", 1)[0] == username:
            return verify_line(line, password)
    return False


class PasswordFileAuth(BaseAuthPlugin):  # type: ignore[misc]  # amqtt is untyped
    """amqtt auth plugin: only logins in `password_file` get in (no anonymous)."""

    @dataclass
    class Config:
        password_file: str = ""

    async def authenticate(self, *, session: Any) -> bool:
        path = Path(getattr(self.config, "password_file", "") or "")
        password = session.password
        if isinstance(password, bytes):
            password = password.decode("utf-8", "replace")
        ok = bool(path.name) and check_login(path, session.username, password)
        if not ok:
            self.context.logger.info("refused MQTT login %r", session.username)
        return ok
