"""From the stored journal to the app's data: lock users, visitor-password uses,
notifications, scene runs (A-USERS, A-TEMP, A-NOTIFY, A-SCENE).

Ingestion only stores events (``ingest``); this drains them, per lock in journal
order, and moves the lock's ``derive_cursors.derived_seq`` in the SAME transaction as
the rows it writes. So a worker killed at any point leaves either nothing or
everything of an event's consequences, and the next drain (any worker: the cursor
rows are claimed with ``SKIP LOCKED`` on PostgreSQL) continues from the cursor; no
user, notification or scene run is lost or written twice. Slow outbound work
(apprise, webhooks) is not done here either: notifications and scene runs are rows
that the features worker delivers later, so a slow webhook never slows the journal.

A lock whose journal says it was reset or unpaired (D-RESET, D-PAIR) is unbound here,
after the events before it were derived.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from typing import Any

from sqlalchemy import Table, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from smartlock.cloud import crud, features_hook
from smartlock.cloud.crud.common import update_each
from smartlock.cloud.lockops import set_broker_user
from smartlock.cloud.memo import KEY
from smartlock.cloud.models import (
    DeriveCursor,
    Device,
    Event,
    LockUser,
    Membership,
    NotificationPreference,
    Scene,
)
from smartlock.cloud.models_features import NotificationAccount, NotificationChannel
from smartlock.cloud.notify import dispatch
from smartlock.cloud.notify.kinds import NotifyKind
from smartlock.cloud.outcome import Live, Outcome, Outgoing
from smartlock.cloud.scenes.engine import EVENT_TRIGGERS
from smartlock.cloud.services import Services
from smartlock.cloud.unit_of_work import atomic
from smartlock.link.topics import Channel, topic
from smartlock.vocab import EventKind

log = logging.getLogger(__name__)

USER_KINDS = frozenset(
    {
        EventKind.USER_ADDED,
        EventKind.USER_DELETED,
        EventKind.CREDENTIAL_ADDED,
        EventKind.CREDENTIAL_DELETED,
    }
)
# The lock ended the binding on its side (D-RESET, D-PAIR).
UNBINDING_KINDS = frozenset({EventKind.FACTORY_RESET, EventKind.UNPAIRED})

EVENTS_PER_LOCK = 100  # per drain; a long backlog is taken in several transactions
CURSORS: Table = DeriveCursor.__table__  # type: ignore[assignment]
Memo = dict[Hashable, Any]  # a session's lookups (cloud.memo)


def pending(services: Services, *, limit: int = 500) -> list[str]:
    """Locks whose journal is ahead of their derived data (the recovery sweep)."""
    with services.sessionmaker() as session:
        derived = (
            select(DeriveCursor.derived_seq)
            .where(DeriveCursor.device_id == Device.id)
            .scalar_subquery()
        )
        rows = session.scalars(
            select(Device.id)
            .where(Device.acked_seq > 0)
            .where((derived.is_(None)) | (derived < Device.acked_seq))
            .order_by(Device.id)
            .limit(limit)
        )
        return list(rows)


def drain(services: Services, *, device_ids: Sequence[str]) -> Outcome:
    """Derive what is new for these locks; returns the live updates and messages."""
    out = Outcome()
    unbound: list[Device] = []
    ids = sorted(set(device_ids))
    if not ids:
        return out
    _ensure_cursors(services, ids)
    with atomic(services.engine, memo=True) as session:
        claimed = _claim(session, ids)
        prefetch(session, [device for device, _ in claimed])
        backlog, cut_off = _events_after(session, claimed)
        moved: dict[str, int] = {}
        planned: list[dict[str, Any]] = []
        for device, cursor in claimed:
            events = backlog.get(device.id, [])[:EVENTS_PER_LOCK]
            if not events:
                if cut_off:
                    out.derive.add(device.id)  # past the total limit: next drain
                elif device.acked_seq > cursor.derived_seq:
                    moved[device.id] = device.acked_seq  # acked by the lock, never stored
                continue
            cut = next((i for i, e in enumerate(events) if e.kind in UNBINDING_KINDS), None)
            todo = events if cut is None else events[: cut + 1]
            _derive(session, device, todo, out.live, planned)
            if cut is not None:
                unbound.append(device)
                continue
            moved[device.id] = events[-1].seq
            if cut_off or len(backlog[device.id]) > len(events) or len(events) == EVENTS_PER_LOCK:
                out.derive.add(device.id)  # more to do: the caller drains again
        dispatch.store_planned(session, planned, live=out.live)
        # The cursors move after every event's work, in the same transaction.
        if moved:
            update_each(session, CURSORS.c.device_id, "derived_seq", moved)
        for device in unbound:
            crud.unbind_device(session, device_id=device.id)
    for device in unbound:
        # The lock forgot us: forget it too, and clear what we left retained for it.
        services.lock_keys.forget(device.serial)
        set_broker_user(services, device.serial, None)
        out.publish.append(Outgoing(topic(device.serial, Channel.SHADOW_DESIRED), b"", True))
        out.live.append((device.id, {"type": "unbound"}))
    return out


def notify_offline(services: Services, device_ids: Sequence[str], live: Live) -> None:
    """A-NOTIFY "lock offline" for locks a batch saw go offline, in one short
    transaction with the lookups prefetched: a storm of 10,000 clean disconnects is a
    few statements per batch, not ten per lock inside the batch's transaction (that
    stalled ingestion for minutes at 10,000 locks). Once per offline spell (the
    source key is when the lock was last seen), so a redelivered batch adds nothing.
    """
    ids = sorted(set(device_ids))
    if not ids:
        return
    with atomic(services.engine, memo=True) as session:
        devices = list(session.scalars(select(Device).where(Device.id.in_(ids))))
        prefetch(session, devices)
        planned: list[dict[str, Any]] = []
        for device in devices:
            planned += dispatch.planned_offline(session, device=device)
        dispatch.store_planned(session, planned, live=live)


MAX_EVENTS = 1000  # per drain, over all its locks: short transactions


def _events_after(
    session: Session, claimed: list[tuple[Device, DeriveCursor]]
) -> tuple[dict[str, list[Event]], bool]:
    """Every claimed lock's events past its cursor, in one query, and whether the
    total limit cut the list (then every lock may have more: drain again).
    """
    if not claimed:
        return {}, False
    ids = [d.id for d, _ in claimed]
    rows = session.scalars(
        select(Event)
        .join(DeriveCursor, DeriveCursor.device_id == Event.device_id)
        .where(Event.device_id.in_(ids), Event.seq > DeriveCursor.derived_seq)
        .order_by(Event.device_id, Event.seq)
        .limit(MAX_EVENTS)
    )
    backlog: dict[str, list[Event]] = {}
    fetched = 0
    for event in rows:
        backlog.setdefault(event.device_id, []).append(event)
        fetched += 1
    memo = session.info.get(KEY)
    if memo is not None:  # users the lock named that the cloud does not know (yet)
        for device_id, events in backlog.items():
            for event in events:
                if event.user_number:
                    memo.setdefault(("lock-user", device_id, event.user_number), None)
    return backlog, fetched >= MAX_EVENTS


def _ensure_cursors(services: Services, ids: list[str]) -> None:
    """Create missing cursors in a short transaction of their own, so a worker never
    waits on cursor rows another worker's long derive transaction is creating.
    """
    with services.sessionmaker() as session:
        have = set(
            session.scalars(select(DeriveCursor.device_id).where(DeriveCursor.device_id.in_(ids)))
        )
        if len(have) == len(ids):
            return
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(DeriveCursor)
            .from_select(
                ["device_id", "derived_seq"],
                select(Device.id, literal(0)).where(Device.id.in_(sorted(set(ids) - have))),
            )
            .on_conflict_do_nothing(index_elements=["device_id"])
        )
        session.commit()


def _claim(session: Session, ids: list[str]) -> list[tuple[Device, DeriveCursor]]:
    """Lock the cursors of these locks (skipping ones another worker is deriving)."""
    cursors = session.scalars(
        select(DeriveCursor)
        .where(DeriveCursor.device_id.in_(ids))
        .order_by(DeriveCursor.device_id)
        .with_for_update(skip_locked=True)
    ).all()
    devices = {d.id: d for d in session.scalars(select(Device).where(Device.id.in_(ids)))}
    return [(devices[c.device_id], c) for c in cursors if c.device_id in devices]


def prefetch(session: Session, devices: list[Device]) -> None:
    """Answer the derive lookups of a whole chunk of locks with a few set queries
    (who may see each lock, their switches, channels, scenes, lock users), so
    deriving an event costs its own writes and not a dozen reads (cloud.memo).
    """
    memo = session.info.get(KEY)
    if memo is None or not devices:
        return
    ids = [d.id for d in devices]
    accounts = _prefetch_recipients(session, memo, devices)
    _prefetch_switches(session, memo, devices, accounts)
    _prefetch_accounts(session, memo, accounts)
    _prefetch_scenes(session, memo, ids)
    for user in session.scalars(select(LockUser).where(LockUser.device_id.in_(ids))):
        memo[("lock-user", user.device_id, user.number)] = user


def _prefetch_recipients(session: Session, memo: Memo, devices: list[Device]) -> set[int]:
    """Who may see each lock (owner first, then shares); returns all those accounts."""
    ids = [d.id for d in devices]
    shared: dict[str, list[int]] = {i: [] for i in ids}
    for device_id, account_id in session.execute(
        select(Membership.device_id, Membership.account_id).where(Membership.device_id.in_(ids))
    ):
        shared[device_id].append(account_id)
    accounts: set[int] = set()
    for d in devices:
        memo[("recipients", d.id)] = who = [d.owner_id, *shared[d.id]]
        accounts.update(who)
    return accounts


def _prefetch_switches(
    session: Session, memo: Memo, devices: list[Device], accounts: set[int]
) -> None:
    """Every recipient's notification switch of every kind, for each lock (None: unset)."""
    switches = {
        (p.account_id, p.device_id, p.kind): p
        for p in session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.device_id.in_([d.id for d in devices]),
                NotificationPreference.account_id.in_(accounts),
            )
        )
    }
    for d in devices:
        for account_id in memo[("recipients", d.id)]:
            for kind in NotifyKind:
                key = (account_id, d.id, kind.value)
                memo[("notify-switch", *key)] = switches.get(key)


def _prefetch_accounts(session: Session, memo: Memo, accounts: set[int]) -> None:
    """Each recipient's notification settings (the defaults if none) and channels."""
    settings = {
        a.account_id: a
        for a in session.scalars(
            select(NotificationAccount).where(NotificationAccount.account_id.in_(accounts))
        )
    }
    channels: dict[int, list[NotificationChannel]] = {a: [] for a in accounts}
    for channel in session.scalars(
        select(NotificationChannel).where(
            NotificationChannel.account_id.in_(accounts), NotificationChannel.enabled.is_(True)
        )
    ):
        channels[channel.account_id].append(channel)
    for account_id in accounts:
        memo[("notify-account", account_id)] = settings.get(account_id) or NotificationAccount(
            account_id=account_id, disabled_kinds=[], muted=False
        )
        memo[("notify-channels", account_id)] = channels[account_id]


def _prefetch_scenes(session: Session, memo: Memo, ids: list[str]) -> None:
    """Each lock's enabled scenes that an event can trigger."""
    scenes: dict[str, list[Scene]] = {i: [] for i in ids}
    for scene in session.scalars(
        select(Scene).where(
            Scene.device_id.in_(ids), Scene.enabled.is_(True), Scene.trigger.is_not(None)
        )
    ):
        if (scene.trigger or {}).get("type") in EVENT_TRIGGERS:
            scenes[scene.device_id].append(scene)
    for device_id, armed in scenes.items():
        memo[("scenes", device_id, tuple(sorted(EVENT_TRIGGERS)))] = armed


def _derive(
    session: Session,
    device: Device,
    events: list[Event],
    live: Live,
    planned: list[dict[str, Any]],
) -> None:
    users_changed = False
    for event in events:
        if event.kind in USER_KINDS and event.user_number:
            try:
                users_changed |= crud.apply_user_event(
                    session,
                    device_id=device.id,
                    kind=event.kind,
                    number=event.user_number,
                    details=event.data,
                )
            except Exception:  # a bad event never blocks the journal (D-LOG)
                session.rollback()
                log.exception("lock users: event %s of %s failed", event.seq, device.id)
    # Visitor passwords, notifications, scenes (A-TEMP, A-NOTIFY, A-SCENE).
    features_hook.derive_events(session, device=device, events=events, planned=planned)
    if users_changed:
        live.append((device.id, {"type": "users"}))
