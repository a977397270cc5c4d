"""Where the app features meet the lock's messages: the one call ``ingest`` makes.

For each newly stored journal event: visitor-password bookkeeping (A-TEMP), the
notifications it causes (A-NOTIFY) and the scenes it triggers (A-SCENE, run later by
the features worker). Availability changes give "lock offline" notifications.
Everything here is idempotent per event, like ``ingest`` itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from smartlock.cloud.crud import temp_passwords as tcrud
from smartlock.cloud.models import Device, Event
from smartlock.cloud.notify import dispatch
from smartlock.cloud.scenes import engine

log = logging.getLogger(__name__)

Live = list[tuple[str, dict[str, Any]]]


def on_new_events(session: Session, *, device: Device, events: list[Event], live: Live) -> None:
    """Called by ``ingest`` once a batch is stored; ``live`` receives (channel, update)."""

    def notify(event: Event) -> None:
        dispatch.on_event(session, device=device, event=event, live=live)

    _each_event(session, device, events, notify)


def derive_events(
    session: Session, *, device: Device, events: list[Event], planned: list[dict[str, Any]]
) -> None:
    """``on_new_events`` for the derive path: the same outcome, except that the
    notifications are only planned (into ``planned``); the caller writes a whole
    chunk's in one statement (``dispatch.store_planned``).
    """

    def plan(event: Event) -> None:
        planned.extend(dispatch.planned_for_event(session, device=device, event=event))

    _each_event(session, device, events, plan)


def _each_event(
    session: Session, device: Device, events: list[Event], notify: Callable[[Event], None]
) -> None:
    """Visitor passwords, ``notify``, scenes, for each event; one event's failure is
    logged and the next goes on.
    """
    for event in events:
        try:
            if event.kind == "unlock" and event.method in ("temp_password", "offline_code"):
                tcrud.record_lock_use(session, device_id=device.id, event=event)
            elif event.kind in ("credential_added", "credential_deleted"):
                tcrud.record_lock_credential(
                    session, device_id=device.id, kind=event.kind, data=event.data
                )
            notify(event)
            engine.on_event(session, device=device, event=event)
        except Exception:  # a feature bug must never block the journal (D-LOG)
            session.rollback()
            log.exception("app features failed on event %s of %s", event.seq, device.id)
