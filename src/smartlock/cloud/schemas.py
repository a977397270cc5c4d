"""Request and response models of the JSON API: ``XCreate``, ``XUpdate``, ``XPublic``,
``XsPublic`` (data + count). Enum fields use the shared wire vocabulary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from smartlock.cloud.models import CommandStatus, Role
from smartlock.credentials import PIN_PATTERN
from smartlock.vocab import (
    CredentialType,
    DoorState,
    EventKind,
    Method,
    Mode,
    Sensitivity,
    Source,
    Volume,
)

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


def from_row(model: type[M], row: object, **computed: Any) -> M:
    """``model`` with each field read from the row's attribute of that name, except the
    ``computed`` ones (values the row does not hold): one place instead of a list of
    ``name=row.name`` lines per public shape.
    """
    fields = {name: getattr(row, name) for name in model.model_fields if name not in computed}
    return model(**fields, **computed)


def listing(model: type[M], rows: Sequence[R], public: Callable[[R], Any]) -> M:
    """A list answer: each row's public shape, and how many there are."""
    return model(data=[public(r) for r in rows], count=len(rows))


Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Serial = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$")
]  # = link lock id
UserNumber = Annotated[str, StringConstraints(pattern=r"^(0[0-4][0-9]|050)$")]
RequestId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
LockPin = Annotated[str, StringConstraints(pattern=PIN_PATTERN)]  # D-USER-4


class Strict(BaseModel):
    """Requests reject unknown fields, so a typo is an error, not a silent no-op, and
    text with a NUL character (PostgreSQL cannot store one: it was a 500, issue 13).
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _has_nul(data):
            raise ValueError("text must not contain NUL (\\u0000) characters")
        return data


# --- accounts (A-ACCOUNT) --------------------------------------------------------------


class AccountCreate(Strict):
    email: EmailStr
    password: Password


class AccountPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    created_at: dt.datetime


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class SignedUp(BaseModel):
    """What sign-up answers, the same for a new email and a known one."""

    email: str
    message: str


class SignIn(Strict):
    email: EmailStr
    password: Password


class SessionPublic(BaseModel):
    account: AccountPublic
    csrf_token: str  # send back as the X-CSRF-Token header on state-changing requests


class TokenCreate(Strict):
    email: EmailStr
    password: Password
    name: Annotated[str, StringConstraints(max_length=100)] = ""


class TokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None


class TokenCreated(TokenPublic):
    access_token: str  # shown once
    token_type: str = "bearer"  # noqa: S105 (a scheme name, not a secret)


class TokensPublic(BaseModel):
    data: list[TokenPublic]
    count: int


class PasswordChange(Strict):
    current_password: Password
    new_password: Password


class ConfirmCreate(Strict):
    password: Password


class ConfirmPublic(BaseModel):
    confirmation_token: str
    expires_at: dt.datetime


class Message(BaseModel):
    message: str


# --- devices, status (D-PAIR, A-STATUS) ------------------------------------------------


class DeviceBind(Strict):
    serial: Serial
    code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    name: Name = "Front door"


class DeviceUpdate(Strict):
    name: Name


class StatusPublic(BaseModel):
    online: bool
    last_seen_at: dt.datetime | None
    door: DoorState | None = None
    bolt: str | None = None
    modes: dict[str, bool] = Field(default_factory=dict)
    battery: int | None = None
    lockout_until: dt.datetime | None = None
    last_event: EventPublic | None = None
    state_at: dt.datetime | None = None
    tamper: bool = False  # the lock reports its tamper switch (the app's alarm banner)


class DevicePublic(BaseModel):
    id: str
    serial: str
    name: str
    role: Role
    firmware: str
    bound_at: dt.datetime
    status: StatusPublic


class DevicesPublic(BaseModel):
    data: list[DevicePublic]
    count: int


# --- settings shadow (A-SETTINGS) ------------------------------------------------------


class LockSettings(Strict):
    """Every setting the app can change (names and ranges of ``device.core.settings``); all
    optional so a change names only what moves.
    """

    face_unlock: StrictBool | None = None
    sensitivity: Sensitivity | None = None
    watch_window_s: Annotated[StrictInt, Field(ge=5, le=60)] | None = None
    prompt_volume: Volume | None = None
    doorbell_volume: Volume | None = None
    doorbell_snapshot: StrictBool | None = None
    mute: StrictBool | None = None
    language: Literal["zh", "en"] | None = None
    anti_lock: StrictBool | None = None
    normally_open: StrictBool | None = None
    armed: StrictBool | None = None
    virtual_lock_detection: StrictBool | None = None
    double_press_to_open: StrictBool | None = None
    remote_unlock: StrictBool | None = None
    ha_control: StrictBool | None = None
    ha_unlock_code: StrictBool | None = None
    auto_relock_s: Annotated[StrictInt, Field(ge=5, le=60)] | None = None
    tz_offset_min: Annotated[StrictInt, Field(ge=-720, le=840)] | None = None


class SettingsUpdate(Strict):
    version: Annotated[StrictInt, Field(ge=0)]  # the version the change was based on
    changes: LockSettings


class SettingsPublic(BaseModel):
    desired: dict[str, Any]
    reported: dict[str, Any]
    pending: dict[str, Any]  # desired values the lock has not reported yet
    version: int
    reported_version: int
    in_sync: bool


# --- records (A-RECORDS, D-LOG) --------------------------------------------------------


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    seq: int
    kind: str
    occurred_at: dt.datetime
    received_at: dt.datetime
    user_number: str | None
    user_name: str | None = None
    method: str | None
    source: str | None
    data: dict[str, Any]
    # The journal's hash chain (docs/link.md): True where this event's link to the one
    # before does not match what the cloud stored: the lock's journal was altered.
    chain_break: bool | None = None
    # Who, where the lock cannot say: a visitor password's name, the account that sent
    # a remote unlock (records only; filled by the records route).
    holder: str | None = None
    actor: str | None = None


class EventsPublic(BaseModel):
    data: list[EventPublic]
    count: int  # total matching the filters
    next_cursor: str | None


class RecordFilter(BaseModel):
    user: UserNumber | None = None
    method: Method | None = None
    kind: EventKind | None = None
    source: Source | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


# --- lock users (A-USERS) --------------------------------------------------------------


class CredentialPublic(BaseModel):
    id: int  # the lock's credential id
    type: CredentialType
    duress: bool = False


class LockUserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    user_type: str
    name: str
    credentials: list[CredentialPublic]
    updated_at: dt.datetime


class LockUsersPublic(BaseModel):
    data: list[LockUserPublic]
    count: int


class LockUserUpdate(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class LockPasswordSet(Strict):
    request_id: RequestId
    password: LockPin
    duress: StrictBool = False


class LockFingerprintEnrol(Strict):
    """Start a fingerprint enrolment at the lock (D-FINGER-ENROL); nothing but the
    request travels: the finger is read and kept by the lock's module.
    """

    request_id: RequestId
    duress: StrictBool = False


# --- commands, remote unlock (A-REMOTE) ------------------------------------------------


class RemoteUnlock(Strict):
    request_id: RequestId
    # Re-confirmation: the account password, or a fresh token from POST /auth/confirm.
    password: Password | None = None
    confirmation_token: Annotated[str, StringConstraints(max_length=128)] | None = None


class CommandRequest(Strict):
    request_id: RequestId


class ModeChange(Strict):
    """Switch one of the lock's modes now (the status page, the alarm banner's Disarm)."""

    request_id: RequestId
    mode: Mode
    on: bool


class CommandPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    request_id: str
    action: str
    status: CommandStatus
    reason: str | None
    created_at: dt.datetime
    completed_at: dt.datetime | None


# --- sharing (A-SHARE) -----------------------------------------------------------------


class ShareCreate(Strict):
    email: EmailStr
    role: Role
    may_remote_unlock: StrictBool = False


class ShareUpdate(Strict):
    role: Role | None = None
    may_remote_unlock: StrictBool | None = None


class SharePublic(BaseModel):
    account_id: int
    email: str
    role: Role
    may_remote_unlock: bool
    created_at: dt.datetime


class SharesPublic(BaseModel):
    data: list[SharePublic]
    count: int


StatusPublic.model_rebuild()
