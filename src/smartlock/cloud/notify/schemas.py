"""API models of notifications (A-NOTIFY)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from smartlock.cloud.notify.kinds import NotifyKind
from smartlock.cloud.schemas import Strict


class NotificationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    device_id: str | None
    kind: str
    priority: str
    title: str
    body: str
    data: dict[str, Any]
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationsPublic(BaseModel):
    data: list[NotificationPublic]
    count: int
    unread: int


class UnreadPublic(BaseModel):
    unread: int


class NotificationSettings(Strict):
    """Account-wide: kinds switched off, and mute (duress still comes through)."""

    disabled_kinds: Annotated[list[NotifyKind], Field(max_length=len(NotifyKind))] = Field(
        default_factory=list
    )
    muted: StrictBool = False


class DeviceSwitches(Strict):
    """Per lock: kind -> on/off; kinds not named keep their current switch."""

    kinds: Annotated[dict[NotifyKind, StrictBool], Field(max_length=len(NotifyKind))]


class DeviceSwitchesPublic(BaseModel):
    kinds: dict[str, bool]


class ChannelCreate(Strict):
    """An apprise URL (https://github.com/caronc/apprise/wiki), e.g. ``json://host/path``."""

    url: Annotated[str, StringConstraints(min_length=4, max_length=2000)]
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


class ChannelPublic(BaseModel):
    """The URL is never returned: only its scheme and host."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    url_hint: str
    enabled: bool
    created_at: dt.datetime


class ChannelTestPublic(BaseModel):
    """Whether the test message was accepted by the channel's server."""

    delivered: bool


class ChannelsPublic(BaseModel):
    data: list[ChannelPublic]
    count: int
