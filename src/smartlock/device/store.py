"""The lock's durable store: stdlib sqlite3 in WAL mode with synchronous=FULL.

One `commit(state, effects)` per `LockCore.handle()` call, in one transaction: it
writes the records of `state` that differ from the last commit and appends the
effects' journal events. A lock reopened after a crash or `kill -9` at any moment
holds exactly the last committed state. The schema is versioned with
`PRAGMA user_version` and ordered migration steps (`MIGRATIONS`).

The link's event sync reads `unacked_events(limit)` and calls `ack(up_to_seq)` once
the cloud has stored them (D-LOG: nothing lost, nothing twice).
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from smartlock.device.core.effects import Effect, JournalEvent
from smartlock.device.core.journal_chain import GENESIS, event_hash
from smartlock.device.core.params import parse_schedules
from smartlock.device.core.ports import FaceTemplate
from smartlock.device.core.records import (
    Binding,
    Credential,
    DurableState,
    Identity,
    LockoutState,
    TempPassword,
    User,
)
from smartlock.device.core.settings import Settings
from smartlock.device.sealing import Sealer
from smartlock.device.store_schema import (
    MIGRATIONS,
    blob_embedding,
    chain_wire,
    cred_row,
    embedding_blob,
    face_where,
    kv_values,
    row_event,
    temp_row,
    user_row,
)
from smartlock.errors import StoreError, StoreFull
from smartlock.vocab import CredentialType, EventKind, UserType

KEEP_ACKED = 10_000  # acknowledged journal events kept on the lock for the console


class Store:
    """One sqlite database file per lock. Thread-safe (one lock around the connection)."""

    def __init__(self, conn: sqlite3.Connection, hardware_key: bytes | None = None) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self._last: DurableState | None = None
        self._hardware_key = hardware_key
        self._sealers: dict[bytes, Sealer] = {}

    def _open_secret(self, stored: object) -> bytes:
        """The per-lock secret (it keys the PIN hashes, D-KEY-PIN). With a hardware key
        it is kept sealed under that key, so the database alone does not give it: the
        hashes cannot be brute-forced from a copy of the file (issue 13, finding 8).
        """
        if isinstance(stored, dict):
            if self._hardware_key is None:
                raise StoreError("this lock's secret is sealed: open it with its hardware key")
            return Sealer(self._hardware_key).open(bytes.fromhex(stored["sealed"]), b"secret")
        return bytes.fromhex(str(stored))

    def _sealer(self, secret: bytes) -> Sealer:
        sealer = self._sealers.get(secret)
        if sealer is None:
            sealer = self._sealers[secret] = Sealer.derive(secret, self._hardware_key)
        return sealer

    @classmethod
    def open(cls, path: str | Path, *, hardware_key: bytes | None = None) -> Store:
        """Open (creating and migrating as needed) the store at `path`.

        `hardware_key` (32 bytes) seals face templates and broker credentials; without
        one they are sealed under a key derived from the per-lock secret.
        """
        try:
            if str(path) != ":memory:":
                Path(path).touch(mode=0o600, exist_ok=True)  # secrets inside: owner only
                os.chmod(path, 0o600)  # also a file made by an older version (0644)
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            store = cls(conn, hardware_key)
            store._migrate()
        except sqlite3.Error as err:
            raise StoreError(f"cannot open the lock store at {path}: {err}") from err
        return store

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def checkpoint(self) -> None:
        """Move everything from the write-ahead log into the database file."""
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise StoreError(f"store schema {version} is newer than this firmware")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._tx() as cur:
                for statement in script.split(";"):
                    if statement.strip():
                        cur.execute(statement)
                cur.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Cursor]:
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")

    # ------------------------------------------------------------------ load

    def load(self) -> DurableState | None:
        """The last committed state, or None for a store never committed to."""
        with self._lock:
            try:
                state = self._read()
            except (sqlite3.Error, ValueError, KeyError, TypeError) as err:
                raise StoreError(f"the lock store is unreadable: {err}") from err
            self._last = state
            return state

    def _read(self) -> DurableState | None:
        c = self._conn
        kv = {k: json.loads(v) for k, v in c.execute("SELECT key, value FROM kv")}
        if "identity" not in kv:
            return None
        settings = Settings.from_dict(
            {n: json.loads(v) for n, v in c.execute("SELECT name, value FROM settings")}
        )
        users = {
            n: User(n, UserType(t), bool(e), parse_schedules(json.loads(s)))
            for n, t, e, s in c.execute("SELECT number, user_type, enabled, schedules FROM users")
        }
        credentials = {
            i: Credential(i, u, CredentialType(t), bool(d), h)
            for i, u, t, d, h in c.execute(
                "SELECT cred_id, user_no, cred_type, duress, secret_hash FROM credentials"
            )
        }
        secret = self._open_secret(kv["secret"])
        sealer = self._sealer(secret)
        faces: dict[int, list[FaceTemplate]] = {}
        rows = c.execute(
            "SELECT cred_id, idx, user_no, pose, duress, embedding FROM face_templates"
            " ORDER BY cred_id, idx"
        )
        for cred_id, idx, user_no, pose, duress, blob in rows:
            raw = sealer.open(blob, face_where(cred_id, idx))
            template = FaceTemplate(user_no, blob_embedding(raw), pose, bool(duress))
            faces.setdefault(cred_id, []).append(template)
        temps = {
            row[0]: TempPassword(*row)
            for row in c.execute(
                "SELECT temp_id, code_hash, valid_from, valid_to, max_uses, uses"
                " FROM temp_passwords"
            )
        }
        used = frozenset(r[0] for r in c.execute("SELECT code_id FROM offline_used"))
        binding = kv["binding"]
        if binding is not None:
            binding = json.loads(sealer.open(bytes.fromhex(binding), b"binding"))
        return DurableState(
            identity=Identity(*kv["identity"]),
            secret=secret,
            settings=settings,
            users=users,
            credentials=credentials,
            faces={k: tuple(v) for k, v in faces.items()},
            temp_passwords=temps,
            used_offline_ids=used,
            lockout=LockoutState(  # no hourly count in stores from before D-LOCKOUT-LONG
                tuple(kv["lockout"][0]), kv["lockout"][1], tuple([*kv["lockout"], []][2])
            ),
            binding=None if binding is None else Binding(*binding),
            next_seq=kv["next_seq"],
            next_cred_id=kv["next_cred_id"],
            mech_pending=kv["mech_pending"],
            recent_requests=tuple(kv["recent_requests"]),
            low_battery_reported=kv["low_battery_reported"],
            firmware=kv.get("firmware"),  # absent in stores written before A-OTA
        )

    # ---------------------------------------------------------------- commit

    def commit(self, state: DurableState, effects: Sequence[Effect] = ()) -> None:
        """Make `state` and the effects' journal events durable, all or nothing."""
        events = [e for e in effects if isinstance(e, JournalEvent)]
        with self._lock:
            try:
                if self._last is None:  # diff against what is on disk, not against nothing
                    self._last = self._read()
                with self._tx() as cur:
                    self._write(cur, self._last, state)
                    for event in events:
                        if event.kind is EventKind.FACTORY_RESET:  # D-RESET: a new life
                            cur.execute("DELETE FROM journal WHERE seq < ?", (event.seq,))
                            self._set_acked(cur, event.seq - 1)
                        self._insert(cur, event)
            except (sqlite3.Error, OSError) as err:
                kind = StoreFull if disk_full(err) else StoreError
                raise kind(f"commit failed, nothing was written: {err}") from err
            self._last = state

    def _write(self, cur: sqlite3.Cursor, old: DurableState | None, new: DurableState) -> None:
        old_kv = {} if old is None else kv_values(old)
        sealer = self._sealer(new.secret)
        for key, value in kv_values(new).items():
            if old_kv.get(key) != value:
                if key == "binding" and value != "null":
                    value = json.dumps(sealer.seal(value.encode(), b"binding").hex())
                if key == "secret" and self._hardware_key is not None:
                    value = json.dumps({"sealed": sealer.seal(new.secret, b"secret").hex()})
                cur.execute("INSERT OR REPLACE INTO kv VALUES (?, ?)", (key, value))
        if old is None or old.settings != new.settings:
            old_settings = {} if old is None else old.settings.to_dict()
            for name, value in new.settings.to_dict().items():
                if name not in old_settings or old_settings[name] != value:
                    cur.execute(
                        "INSERT OR REPLACE INTO settings VALUES (?, ?)", (name, json.dumps(value))
                    )
        self._sync(cur, "users", "number", _old(old, "users"), new.users, user_row)
        self._sync(
            cur, "credentials", "cred_id", _old(old, "credentials"), new.credentials, cred_row
        )
        self._sync_faces(cur, _old(old, "faces"), new.faces, sealer)
        self._sync(
            cur,
            "temp_passwords",
            "temp_id",
            _old(old, "temp_passwords"),
            new.temp_passwords,
            temp_row,
        )
        old_used = frozenset() if old is None else old.used_offline_ids
        for code_id in new.used_offline_ids - old_used:
            cur.execute("INSERT OR IGNORE INTO offline_used VALUES (?)", (code_id,))
        for code_id in old_used - new.used_offline_ids:
            cur.execute("DELETE FROM offline_used WHERE code_id = ?", (code_id,))

    @staticmethod
    def _sync(
        cur: sqlite3.Cursor,
        table: str,
        key: str,
        old: Mapping[Any, Any],
        new: Mapping[Any, Any],
        row: Any,
    ) -> None:
        if old is new:
            return
        for k in old.keys() - new.keys():
            cur.execute(f"DELETE FROM {table} WHERE {key} = ?", (k,))  # noqa: S608 (fixed names)
        for k, value in new.items():
            if old.get(k) != value:
                values = row(value)
                marks = ", ".join("?" * len(values))
                cur.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", values)  # noqa: S608

    @staticmethod
    def _sync_faces(
        cur: sqlite3.Cursor,
        old: Mapping[int, tuple[FaceTemplate, ...]],
        new: Mapping[int, tuple[FaceTemplate, ...]],
        sealer: Sealer,
    ) -> None:
        if old is new:
            return
        for cred_id in old.keys() - new.keys():
            cur.execute("DELETE FROM face_templates WHERE cred_id = ?", (cred_id,))
        for cred_id, templates in new.items():
            if old.get(cred_id) == templates:
                continue
            cur.execute("DELETE FROM face_templates WHERE cred_id = ?", (cred_id,))
            for idx, t in enumerate(templates):
                blob = sealer.seal(embedding_blob(t.embedding), face_where(cred_id, idx))
                cur.execute(
                    "INSERT INTO face_templates VALUES (?, ?, ?, ?, ?, ?)",
                    (cred_id, idx, t.user_no, t.pose, int(t.duress), blob),
                )

    @staticmethod
    def _insert(cur: sqlite3.Cursor, e: JournalEvent) -> None:
        row = (
            e.seq,
            float(e.at),
            e.kind.value,
            e.user_no,
            None if e.method is None else e.method.value,
            None if e.source is None else e.source.value,
            json.dumps(dict(e.details), default=str),
            _chain_head(cur),
        )
        cur.execute("INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
        head = json.dumps(event_hash(chain_wire(row)))
        cur.execute("INSERT OR REPLACE INTO kv VALUES ('journal_head', ?)", (head,))

    # --------------------------------------------------------------- journal

    def unacked_events(self, limit: int = 100) -> list[JournalEvent]:
        """The oldest events the cloud has not acknowledged yet, in sequence order."""
        with self._lock:
            acked = self.acked_seq()
            rows = self._conn.execute(
                "SELECT * FROM journal WHERE seq > ? ORDER BY seq LIMIT ?", (acked, limit)
            ).fetchall()
        return [row_event(row) for row in rows]

    def events(self, after_seq: int = 0, limit: int = 100) -> list[JournalEvent]:
        """Journal events after `after_seq` (acknowledged or not), oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM journal WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)
            ).fetchall()
        return [row_event(row) for row in rows]

    def acked_seq(self) -> int:
        """The highest sequence number the cloud has acknowledged (0: none yet)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM kv WHERE key = 'acked_seq'").fetchone()
        return 0 if row is None else int(json.loads(row[0]))

    def ack(self, up_to_seq: int) -> None:
        """The cloud holds every event up to `up_to_seq`; older acks never move it back."""
        with self._lock:
            try:
                with self._tx() as cur:
                    if up_to_seq > self.acked_seq():
                        self._set_acked(cur, up_to_seq)
                        cur.execute(
                            "DELETE FROM journal WHERE seq <= ? AND seq <= "
                            "(SELECT MAX(seq) FROM journal) - ?",
                            (up_to_seq, KEEP_ACKED),
                        )
            except (sqlite3.Error, OSError) as err:
                kind = StoreFull if disk_full(err) else StoreError
                raise kind(f"ack failed: {err}") from err

    @staticmethod
    def _set_acked(cur: sqlite3.Cursor, seq: int) -> None:
        cur.execute("INSERT OR REPLACE INTO kv VALUES ('acked_seq', ?)", (json.dumps(seq),))


def _chain_head(cur: sqlite3.Cursor) -> str:
    """The hash the next event links to: the newest event's, else the chain's start."""
    row = cur.execute("SELECT value FROM kv WHERE key = 'journal_head'").fetchone()
    if row is not None:
        return str(json.loads(row[0]))
    last = cur.execute("SELECT * FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    return GENESIS if last is None else event_hash(chain_wire(last))  # a pre-chain store


def disk_full(err: BaseException) -> bool:
    """Is `err` the disk being full (SQLite's SQLITE_FULL, or ENOSPC / EDQUOT)?"""
    if isinstance(err, OSError):
        return err.errno in (errno.ENOSPC, errno.EDQUOT)
    code = getattr(err, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF == sqlite3.SQLITE_FULL) or "is full" in str(err)


def _old(state: DurableState | None, name: str) -> Mapping[Any, Any]:
    return {} if state is None else getattr(state, name)
