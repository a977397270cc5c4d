"""Outbound delivery of notifications through apprise, off the request path.

Each (notification, channel) is an outbox row; the features worker sends the due ones
in a thread (apprise is blocking) with apprise's own connect/read timeouts, and retries
with back-off (``crud.notifications.settle_delivery``). Every send runs under the
outbound guard (``cloud.netguard``): no channel reaches the cloud's own host or
internal network, whatever the scheme, name or redirect.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import apprise
from sqlalchemy.orm import Session

from smartlock.cloud import netguard
from smartlock.cloud.crud import notifications as ncrud
from smartlock.cloud.errors import CloudError
from smartlock.cloud.models_features import Notification, NotificationChannel
from smartlock.cloud.services import Services

log = logging.getLogger(__name__)


def _context(account_id: int) -> str:
    return f"notify-url:{account_id}"


# Schemes whose URL names an account at a fixed public service, not a host (tgram's
# "host" is the bot id): no host to check when saved; every send is still guarded.
FIXED_SERVICE_SCHEMES = frozenset({"tgram", "discord", "pover", "slack", "msteams", "pbul"})


def check_url(url: str, allow: str = "") -> str:
    """The URL's display hint if apprise understands it and its host is not internal
    (checked again at each send); 422 otherwise.
    """
    if not apprise.Apprise().add(url):
        raise CloudError("apprise does not understand this URL", code="bad_channel_url", status=422)
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        if parts.scheme.lower() not in FIXED_SERVICE_SCHEMES:
            netguard.check_host(host, netguard.parse_allow(allow))
    except netguard.Refused:
        raise CloudError(
            "notifications cannot go to this host (an internal address)",
            code="internal_address",
            status=422,
        ) from None
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # tgram://<bot id>:<token>/…: the "port" is a secret, not a number
        port = ""
    return f"{parts.scheme}://{host}{port}/…"[:80]


def seal_url(services: Services, account_id: int, url: str) -> bytes:
    return services.key_box.seal(url.encode(), context=_context(account_id))


def _send(
    url: str, title: str, body: str, high: bool, allow: str = "", picture: bytes | None = None
) -> str | None:
    """One attempt under the outbound guard; an error text, or None when delivered.
    ``picture`` (a face-masked doorbell JPEG) goes as an attachment where the service
    takes one; apprise sends the text alone to the others.
    """
    sender = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))  # this thread
    if not sender.add(url):
        return "unsupported url"
    kind = apprise.NotifyType.FAILURE if high else apprise.NotifyType.INFO
    with tempfile.TemporaryDirectory() as tmp:
        attach = None
        if picture:
            path = Path(tmp) / "doorbell.jpg"
            path.write_bytes(picture)
            attach = apprise.AppriseAttachment(str(path))
        try:
            with netguard.guarded(netguard.parse_allow(allow)):
                ok = sender.notify(title=title, body=body, notify_type=kind, attach=attach)
        except Exception as exc:  # a plugin bug must not kill the worker
            return f"{type(exc).__name__}: {exc}"
    return None if ok else "delivery failed"


# A ring's picture is taken within seconds of the ring (A-LIVE).
PICTURE_WINDOW = dt.timedelta(seconds=60)


def _doorbell_picture(session: Session, note: Notification) -> bytes | None:
    """The face-masked picture of this ring, if it has arrived (D-PRIV: masked on the lock)."""
    if note.kind != "doorbell" or not note.device_id:
        return None
    from smartlock.cloud.snapshots import doorbell_snapshots  # snapshots imports notify

    created = note.created_at if note.created_at.tzinfo else note.created_at.replace(tzinfo=dt.UTC)
    for row in doorbell_snapshots(session, note.device_id)[:5]:
        taken = row.taken_at if row.taken_at.tzinfo else row.taken_at.replace(tzinfo=dt.UTC)
        if abs(taken - created) <= PICTURE_WINDOW:
            return bytes(row.jpeg)
    return None


TEST_TITLE = "smartlock: test notification"
TEST_BODY = "This channel works: smartlock notifications will arrive here."


def send_test(services: Services, *, account_id: int, channel_id: int, url_sealed: bytes) -> bool:
    """Send one test message to a channel now (blocking; apprise's timeouts bound it).

    Only whether it arrived is returned: an error text might carry parts of the URL.
    """
    url = services.key_box.open(url_sealed, context=_context(account_id))
    error = _send(url.decode(), TEST_TITLE, TEST_BODY, False, services.settings.outbound_allow)
    if error:
        log.info("test delivery to channel %d failed: %s", channel_id, error)
    return error is None


def _due_jobs(services: Services) -> list[tuple[int, str, str, str, bool, bytes | None]]:
    with services.sessionmaker() as session:
        jobs = []
        for d in ncrud.claim_due_deliveries(session):
            channel = session.get_one(NotificationChannel, d.channel_id)
            note = session.get_one(Notification, d.notification_id)
            raw = services.key_box.open(channel.url_sealed, context=_context(channel.account_id))
            picture = _doorbell_picture(session, note)
            jobs.append(
                (d.id, raw.decode(), note.title, note.body, note.priority == "high", picture)
            )
    return jobs


def _settle(services: Services, delivery_id: int, error: str | None) -> None:
    with services.sessionmaker() as session:
        ncrud.settle_delivery(session, delivery_id=delivery_id, error=error)


async def deliver_due(services: Services) -> int:
    """Send every due delivery once; return how many were attempted."""
    jobs = await asyncio.to_thread(_due_jobs, services)
    for delivery_id, url, title, body, high, picture in jobs:
        allow = services.settings.outbound_allow
        error = await asyncio.to_thread(_send, url, title, body, high, allow, picture)
        if error:
            log.info("notification delivery %d failed: %s", delivery_id, error)
        await asyncio.to_thread(_settle, services, delivery_id, error)
    return len(jobs)
