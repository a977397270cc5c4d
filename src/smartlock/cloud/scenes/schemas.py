"""Scene models: validated triggers, conditions and actions (A-SCENE).

Stored as JSON on the ``scenes`` row; these models are the only way in, so the engine
can trust what it reads back.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from smartlock.cloud.schemas import Name, Strict, UserNumber
from smartlock.vocab import DoorState, EventKind, Method, Mode

HHMM = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
TzOffset = Annotated[StrictInt, Field(ge=-720, le=840)]
Days = Annotated[list[Annotated[StrictInt, Field(ge=0, le=6)]], Field(min_length=1, max_length=7)]
AlarmKind = Literal[
    "duress", "tamper", "intrusion", "lockout", "jammed", "door_ajar", "low_battery"
]
ALL_ALARMS: list[AlarmKind] = [
    "duress",
    "tamper",
    "intrusion",
    "lockout",
    "jammed",
    "door_ajar",
    "low_battery",
]


class LockEventTrigger(Strict):
    """Any journal event of the lock, narrowed by kind, user and method."""

    type: Literal["lock_event"]
    kinds: Annotated[list[EventKind], Field(min_length=1, max_length=40)] = Field(
        default_factory=lambda: [EventKind.UNLOCK]
    )
    users: Annotated[list[UserNumber], Field(max_length=50)] = Field(default_factory=list)
    methods: Annotated[list[Method], Field(max_length=20)] = Field(default_factory=list)


class DoorbellTrigger(Strict):
    type: Literal["doorbell"]


class AlarmTrigger(Strict):
    type: Literal["alarm"]
    kinds: Annotated[list[AlarmKind], Field(min_length=1, max_length=7)] = Field(
        default_factory=lambda: list(ALL_ALARMS)
    )


class DoorLeftOpenTrigger(Strict):
    type: Literal["door_left_open"]
    seconds: Annotated[StrictInt, Field(ge=5, le=86_400)]


class TimeOfDayTrigger(Strict):
    """At ``at`` local time (UTC + ``tz_offset_min``) on ``days`` (0 = Monday)."""

    type: Literal["time_of_day"]
    at: HHMM
    days: Days = Field(default_factory=lambda: list(range(7)))
    tz_offset_min: TzOffset = 0


Trigger = Annotated[
    LockEventTrigger | DoorbellTrigger | AlarmTrigger | DoorLeftOpenTrigger | TimeOfDayTrigger,
    Field(discriminator="type"),
]


class TimeWindow(Strict):
    """From ``start`` to ``end`` local time; a window past midnight wraps (22:00-06:00)."""

    start: HHMM
    end: HHMM
    days: Days = Field(default_factory=lambda: list(range(7)))
    tz_offset_min: TzOffset = 0


class Condition(Strict):
    """Every part given must hold when the trigger fires."""

    time_window: TimeWindow | None = None
    door: Annotated[list[DoorState], Field(min_length=1, max_length=6)] | None = None
    modes: Annotated[dict[Mode, StrictBool], Field(max_length=5)] | None = None
    online: StrictBool | None = None


class LockAction(Strict):
    type: Literal["lock"]


class SetModeAction(Strict):
    type: Literal["set_mode"]
    mode: Mode
    on: StrictBool


class NotifyAction(Strict):
    type: Literal["notify"]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    body: Annotated[str, StringConstraints(max_length=1000)] = ""


class WebhookAction(Strict):
    """POST a JSON description of the run to a URL the user set (http/https only)."""

    type: Literal["webhook"]
    url: Annotated[str, StringConstraints(max_length=2000)]
    timeout_s: Annotated[float, Field(gt=0, le=10)] = 5.0

    @field_validator("url")
    @classmethod
    def _http_only(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the webhook must be an http:// or https:// URL with a host")
        if parts.username or parts.password:
            raise ValueError("put no credentials in the webhook URL")
        return url


class MqttAction(Strict):
    """Publish under ``smartlock/scenes/<device id>/<topic>`` on the cloud's broker."""

    type: Literal["mqtt"]
    topic: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+){0,4}$")]
    payload: Annotated[str, StringConstraints(max_length=4096)] = ""
    retain: StrictBool = False


Action = Annotated[
    LockAction | SetModeAction | NotifyAction | WebhookAction | MqttAction,
    Field(discriminator="type"),
]
Actions = Annotated[list[Action], Field(min_length=1, max_length=10)]


class SceneCreate(Strict):
    """No ``trigger``: a manual scene, run with one tap."""

    name: Name
    trigger: Trigger | None = None
    condition: Condition | None = None
    actions: Actions
    enabled: StrictBool = True


class SceneUpdate(Strict):
    name: Name | None = None
    trigger: Trigger | None = None
    manual: StrictBool = False  # true: drop the trigger (make it manual)
    condition: Condition | None = None
    no_condition: StrictBool = False
    actions: Actions | None = None
    enabled: StrictBool | None = None


class ScenePublic(BaseModel):
    id: int
    name: str
    trigger: dict[str, Any] | None
    condition: dict[str, Any] | None
    actions: list[dict[str, Any]]
    enabled: bool
    created_at: dt.datetime


class ScenesPublic(BaseModel):
    data: list[ScenePublic]
    count: int


class SceneRunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scene_id: int
    trigger: dict[str, Any]
    chain_id: str
    depth: int
    outcome: str
    error: str | None
    results: list[dict[str, Any]]
    started_at: dt.datetime
    finished_at: dt.datetime | None


class SceneRunsPublic(BaseModel):
    data: list[SceneRunPublic]
    count: int
