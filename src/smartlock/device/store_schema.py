"""The store's schema (versioned migrations) and how records map to rows."""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from typing import Any

from smartlock.device.core.effects import JournalEvent
from smartlock.device.core.journal_chain import wire_details
from smartlock.device.core.records import Credential, DurableState, TempPassword, User
from smartlock.device.core.views import schedule_to_dict
from smartlock.vocab import EventKind, Method, Source

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE users (
        number INTEGER PRIMARY KEY, user_type TEXT NOT NULL,
        enabled INTEGER NOT NULL, schedules TEXT NOT NULL);
    CREATE TABLE credentials (
        cred_id INTEGER PRIMARY KEY, user_no INTEGER NOT NULL, cred_type TEXT NOT NULL,
        duress INTEGER NOT NULL, secret_hash BLOB);
    CREATE TABLE face_templates (
        cred_id INTEGER NOT NULL, idx INTEGER NOT NULL, user_no INTEGER NOT NULL,
        pose TEXT NOT NULL, duress INTEGER NOT NULL, embedding BLOB NOT NULL,
        PRIMARY KEY (cred_id, idx));
    CREATE TABLE temp_passwords (
        temp_id TEXT PRIMARY KEY, code_hash BLOB NOT NULL, valid_from REAL NOT NULL,
        valid_to REAL NOT NULL, max_uses INTEGER, uses INTEGER NOT NULL);
    CREATE TABLE offline_used (code_id TEXT PRIMARY KEY);
    CREATE TABLE journal (
        seq INTEGER PRIMARY KEY, at REAL NOT NULL, kind TEXT NOT NULL, user_no INTEGER,
        method TEXT, source TEXT, details TEXT NOT NULL);
    """,
    # 2: the journal's hash chain (issue 12); kv 'journal_head' is the newest hash
    """
    ALTER TABLE journal ADD COLUMN prev_hash TEXT;
    """,
)


def kv_values(state: DurableState) -> dict[str, str]:
    """The single-value parts of the state, as JSON text per key."""
    binding = state.binding
    values: dict[str, Any] = {
        "identity": [state.identity.serial, state.identity.verification_code],
        "secret": state.secret.hex(),
        "lockout": [
            list(state.lockout.failures),
            state.lockout.until,
            list(state.lockout.recent),
        ],
        "binding": None
        if binding is None
        else [
            binding.owner,
            binding.bound_at,
            binding.broker_username,
            binding.broker_password,
            binding.lock_key,
        ],
        "next_seq": state.next_seq,
        "next_cred_id": state.next_cred_id,
        "mech_pending": state.mech_pending,
        "recent_requests": list(state.recent_requests),
        "low_battery_reported": state.low_battery_reported,
        "firmware": state.firmware,
    }
    return {key: json.dumps(value) for key, value in values.items()}


def embedding_blob(embedding: Sequence[float]) -> bytes:
    return array("d", embedding).tobytes()


def blob_embedding(blob: bytes) -> tuple[float, ...]:
    values = array("d")
    values.frombytes(blob)
    return tuple(values)


def face_where(cred_id: int, idx: int) -> bytes:
    return b"face:%d:%d" % (cred_id, idx)


def user_row(u: User) -> tuple[Any, ...]:
    schedules = json.dumps([schedule_to_dict(s) for s in u.schedules])
    return (u.number, u.user_type.value, int(u.enabled), schedules)


def cred_row(c: Credential) -> tuple[Any, ...]:
    return (c.cred_id, c.user_no, c.cred_type.value, int(c.duress), c.secret_hash)


def temp_row(t: TempPassword) -> tuple[Any, ...]:
    return (t.temp_id, t.code_hash, t.valid_from, t.valid_to, t.max_uses, t.uses)


def chain_wire(row: tuple[Any, ...]) -> dict[str, Any]:
    """A journal row as the wire object its chain hash is computed over."""
    seq, at, kind, user_no, method, source, details, prev_hash = row
    return {
        "seq": seq,
        "at": float(at),
        "kind": kind,
        "user_no": user_no,
        "method": method,
        "source": source,
        "details": wire_details(json.loads(details)),
        "prev_hash": prev_hash,
    }


def row_event(row: tuple[Any, ...]) -> JournalEvent:
    seq, at, kind, user_no, method, source, details, prev_hash = row
    return JournalEvent(
        prev_hash=prev_hash,
        seq=seq,
        at=at,
        kind=EventKind(kind),
        user_no=user_no,
        method=None if method is None else Method(method),
        source=None if source is None else Source(source),
        details=json.loads(details),
    )
