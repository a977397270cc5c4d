"""The notification centre, switches, outbound channels and live push (A-NOTIFY)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sse_starlette import EventSourceResponse, ServerSentEvent

from smartlock.cloud.api.deps import CurrentUser, ServicesDep, SessionDep
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.crud import notifications as ncrud
from smartlock.cloud.crud.throttle import check_throttle, record_failure
from smartlock.cloud.errors import NotFound
from smartlock.cloud.notify import deliver
from smartlock.cloud.notify.dispatch import live_key
from smartlock.cloud.notify.schemas import (
    ChannelCreate,
    ChannelPublic,
    ChannelsPublic,
    ChannelTestPublic,
    DeviceSwitches,
    DeviceSwitchesPublic,
    NotificationPublic,
    NotificationSettings,
    NotificationsPublic,
    UnreadPublic,
)
from smartlock.cloud.schemas import Message

router = APIRouter(tags=["notifications"])


@router.get("/notifications")
def list_notifications(
    account: CurrentUser,
    session: SessionDep,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> NotificationsPublic:
    """Newest first; page with ``before_id`` = the last id seen."""
    rows = ncrud.list_notifications(
        session, account_id=account.id, unread=unread, limit=limit, before_id=before_id
    )
    data = [NotificationPublic.model_validate(r) for r in rows]
    count = ncrud.unread_count(session, account_id=account.id)
    return NotificationsPublic(data=data, count=len(data), unread=count)


@router.get("/notifications/unread-count")
def unread_count(account: CurrentUser, session: SessionDep) -> UnreadPublic:
    return UnreadPublic(unread=ncrud.unread_count(session, account_id=account.id))


@router.post("/notifications/{notification_id}/read")
def mark_read(
    notification_id: int, account: CurrentUser, session: SessionDep
) -> NotificationPublic:
    row = ncrud.get_notification(session, account_id=account.id, notification_id=notification_id)
    if row is None:
        raise NotFound("no such notification", code="notification_not_found")
    ncrud.mark_read(session, account_id=account.id, notification_id=notification_id)
    session.refresh(row)
    return NotificationPublic.model_validate(row)


@router.post("/notifications/read-all")
def mark_all_read(account: CurrentUser, session: SessionDep) -> UnreadPublic:
    ncrud.mark_read(session, account_id=account.id, notification_id=None)
    return UnreadPublic(unread=0)


@router.get("/notifications/settings")
def read_settings(account: CurrentUser, session: SessionDep) -> NotificationSettings:
    row = ncrud.account_settings(session, account_id=account.id)
    return NotificationSettings.model_validate(
        {"disabled_kinds": row.disabled_kinds, "muted": row.muted}
    )


@router.put("/notifications/settings")
def save_settings(
    body: NotificationSettings, account: CurrentUser, session: SessionDep
) -> NotificationSettings:
    ncrud.save_account_settings(
        session,
        account_id=account.id,
        disabled_kinds=[k.value for k in body.disabled_kinds],
        muted=body.muted,
    )
    return read_settings(account, session)


@router.get("/devices/{device_id}/notification-switches")
def read_device_switches(
    device_id: str, account: CurrentUser, session: SessionDep
) -> DeviceSwitchesPublic:
    authorize(session, account=account, device_id=device_id, capability=Capability.VIEW)
    kinds = ncrud.device_switches(session, account_id=account.id, device_id=device_id)
    return DeviceSwitchesPublic(kinds=kinds)


@router.patch("/devices/{device_id}/notification-switches")
def save_device_switches(
    device_id: str, body: DeviceSwitches, account: CurrentUser, session: SessionDep
) -> DeviceSwitchesPublic:
    """Your own switches for one lock (any role that may see the lock)."""
    authorize(session, account=account, device_id=device_id, capability=Capability.VIEW)
    kinds = ncrud.save_device_switches(
        session,
        account_id=account.id,
        device_id=device_id,
        switches={k.value: v for k, v in body.kinds.items()},
    )
    return DeviceSwitchesPublic(kinds=kinds)


@router.get("/notifications/channels")
def list_channels(account: CurrentUser, session: SessionDep) -> ChannelsPublic:
    rows = ncrud.list_channels(session, account_id=account.id)
    return ChannelsPublic(data=[ChannelPublic.model_validate(r) for r in rows], count=len(rows))


@router.post("/notifications/channels", status_code=status.HTTP_201_CREATED)
def add_channel(
    body: ChannelCreate, account: CurrentUser, session: SessionDep, services: ServicesDep
) -> ChannelPublic:
    """Stored sealed with the server key; only scheme and host are ever shown again."""
    hint = deliver.check_url(body.url, services.settings.outbound_allow)
    row = ncrud.add_channel(
        session,
        account_id=account.id,
        label=body.label,
        url_sealed=deliver.seal_url(services, account.id, body.url),
        url_hint=hint,
    )
    return ChannelPublic.model_validate(row)


@router.delete("/notifications/channels/{channel_id}")
def delete_channel(channel_id: int, account: CurrentUser, session: SessionDep) -> Message:
    if not ncrud.delete_channel(session, account_id=account.id, channel_id=channel_id):
        raise NotFound("no such channel", code="channel_not_found")
    return Message(message="channel deleted")


TEST_SENDS_PER_MINUTE = 5


@router.post("/notifications/channels/{channel_id}/test")
def send_test_message(
    channel_id: int, account: CurrentUser, session: SessionDep, services: ServicesDep
) -> ChannelTestPublic:
    """Send one test message to the channel now; ``delivered`` says whether it arrived.

    At most TEST_SENDS_PER_MINUTE per account: the cloud must not become a way to make
    requests to arbitrary URLs on demand.
    """
    key = f"channel-test:{account.id}"
    check_throttle(session, key=key)
    row = ncrud.get_channel(session, account_id=account.id, channel_id=channel_id)
    if row is None:
        raise NotFound("no such channel", code="channel_not_found")
    record_failure(
        session, key=key, limit=TEST_SENDS_PER_MINUTE, window_seconds=60, lock_seconds=60
    )
    account_id, sealed = row.account_id, row.url_sealed
    session.rollback()  # hold no transaction open across the network call
    delivered = deliver.send_test(
        services, account_id=account_id, channel_id=channel_id, url_sealed=sealed
    )
    return ChannelTestPublic(delivered=delivered)


@router.get(
    "/notifications/live",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "notifications"}},
)
def live_notifications(
    request: Request, account: CurrentUser, services: ServicesDep
) -> EventSourceResponse:
    """Server-sent events: ``unread`` (count) first, then ``notification`` as they come."""
    key = live_key(account.id)
    account_id = account.id
    queue = services.live.subscribe(key)

    def unread() -> int:
        with services.sessionmaker() as s:
            return ncrud.unread_count(s, account_id=account_id)

    async def stream() -> AsyncIterator[ServerSentEvent]:
        try:
            count = await asyncio.to_thread(unread)
            yield ServerSentEvent(data=json.dumps({"unread": count}), event="unread")
            while not await request.is_disconnected():
                try:
                    update = await asyncio.wait_for(
                        queue.get(), timeout=services.settings.live_recheck_seconds
                    )
                except TimeoutError:
                    continue
                if update.get("type") == "notification":
                    yield ServerSentEvent(
                        data=json.dumps(update["notification"]), event="notification"
                    )
        finally:
            services.live.unsubscribe(key, queue)

    return EventSourceResponse(stream(), ping=15)
