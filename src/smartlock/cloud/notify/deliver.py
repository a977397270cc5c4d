"""Outbound delivery of notifications through apprise, off the request path.

Each (notification, channel) is an outbox row; the features worker sends the due ones
in a thread (apprise is blocking) with apprise's own connect/read timeouts, and retries
with back-off (``crud.notifications.settle_delivery``).
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import apprise

from smartlock.cloud.crud import notifications as ncrud
from smartlock.cloud.errors import CloudError
from smartlock.cloud.models_features import Notification, NotificationChannel
from smartlock.cloud.services import Services

log = logging.getLogger(__name__)


def _context(account_id: int) -> str:
    return f"notify-url:{account_id}"


def check_url(url: str) -> str:
    """The URL's display hint if apprise understands it; 422 otherwise."""
    if not apprise.Apprise().add(url):
        raise CloudError("apprise does not understand this URL", code="bad_channel_url", status=422)
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # tgram://<bot id>:<token>/…: the "port" is a secret, not a number
        port = ""
    return f"{parts.scheme}://{host}{port}/…"[:80]


def seal_url(services: Services, account_id: int, url: str) -> bytes:
    return services.key_box.seal(url.encode(), context=_context(account_id))


def _send(url: str, title: str, body: str, high: bool) -> str | None:
    """One attempt; the error text, or None when apprise reports success."""
    sender = apprise.Apprise()
    if not sender.add(url):
        return "unsupported url"
    kind = apprise.NotifyType.FAILURE if high else apprise.NotifyType.INFO
    try:
        ok = sender.notify(title=title, body=body, notify_type=kind)
    except Exception as exc:  # a plugin bug must not kill the worker
        return f"{type(exc).__name__}: {exc}"
    return None if ok else "delivery failed"


TEST_TITLE = "smartlock: test notification"
TEST_BODY = "This channel works: smartlock notifications will arrive here."


def send_test(services: Services, *, account_id: int, channel_id: int, url_sealed: bytes) -> bool:
    """Send one test message to a channel now (blocking; apprise's timeouts bound it).

    Only whether it arrived is returned: an error text might carry parts of the URL.
    """
    url = services.key_box.open(url_sealed, context=_context(account_id))
    error = _send(url.decode(), TEST_TITLE, TEST_BODY, False)
    if error:
        log.info("test delivery to channel %d failed: %s", channel_id, error)
    return error is None


def _due_jobs(services: Services) -> list[tuple[int, str, str, str, bool]]:
    with services.sessionmaker() as session:
        jobs = []
        for d in ncrud.claim_due_deliveries(session):
            channel = session.get_one(NotificationChannel, d.channel_id)
            note = session.get_one(Notification, d.notification_id)
            raw = services.key_box.open(channel.url_sealed, context=_context(channel.account_id))
            jobs.append((d.id, raw.decode(), note.title, note.body, note.priority == "high"))
    return jobs


def _settle(services: Services, delivery_id: int, error: str | None) -> None:
    with services.sessionmaker() as session:
        ncrud.settle_delivery(session, delivery_id=delivery_id, error=error)


async def deliver_due(services: Services) -> int:
    """Send every due delivery once; return how many were attempted."""
    jobs = await asyncio.to_thread(_due_jobs, services)
    for delivery_id, url, title, body, high in jobs:
        error = await asyncio.to_thread(_send, url, title, body, high)
        if error:
            log.info("notification delivery %d failed: %s", delivery_id, error)
        await asyncio.to_thread(_settle, services, delivery_id, error)
    return len(jobs)
