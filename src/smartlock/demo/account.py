"""The demo account: created once with a generated password that is shown once.

Only the e-mail address is remembered (`demo.json` in the data folder); the password
is never written anywhere. `--reset-password` replaces it with a new one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEMO_EMAIL = "demo@example.org"
STATE_FILE = "demo.json"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    password: str | None  # set only when created or reset in this run


def read_state(data_dir: Path) -> dict[str, Any]:
    try:
        raw = json.loads((data_dir / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


def write_state(data_dir: Path, state: dict[str, Any]) -> None:
    path = data_dir / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2), "utf-8")
    tmp.replace(path)


def ensure_account(services: Any, data_dir: Path, *, reset: bool = False) -> DemoAccount:
    """The demo account, created (or its password reset) as asked."""
    from smartlock.cloud import crud
    from smartlock.cloud.core.security import generate_password, hash_password

    state = read_state(data_dir)
    email = str(state.get("email") or DEMO_EMAIL)
    with services.sessionmaker() as session:
        account = crud.get_account_by_email(session, email=email)
        if account is None:
            password = generate_password()
            crud.create_account(session, email=email, password=password, settings=services.settings)
        elif reset:
            password = generate_password()
            account.password_hash = hash_password(password)
            session.commit()
        else:
            password = None
    write_state(data_dir, {**state, "email": email})
    return DemoAccount(email, password)


def account_id(services: Any, email: str) -> Any:
    from smartlock.cloud import crud

    with services.sessionmaker() as session:
        account = crud.get_account_by_email(session, email=email)
        return None if account is None else account.id
