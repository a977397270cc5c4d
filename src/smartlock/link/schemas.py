"""The link's message shapes: strict, versioned pydantic models (wire format v1).

Every model forbids unknown fields and, as parsed from the wire by `codec.parse`,
coerces nothing (a "5" is not 5), so the lock and the cloud agree byte for byte on
what was signed. Wire values of enums are the
shared vocabulary (`smartlock.vocab`). Events carry who/how/where, never a
secret nor face data (D-PRIV): `Event.details` refuses such keys and nested values.

>>> Ack(up_to_seq=7).model_dump()
{'v': 1, 'up_to_seq': 7}
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, model_validator

from smartlock.device.core.inputs import RemoteAction
from smartlock.device.core.journal_chain import GENESIS, is_secret_key  # noqa: F401 (re-exported)
from smartlock.device.core.journal_chain import event_hash as _wire_hash
from smartlock.vocab import BoltState, DoorState, EventKind, Method, Mode, Source

MAX_PAYLOAD = 16 * 1024  # bytes; checked before any parsing
MAX_BATCH = 50  # events per EventBatch (50 x ~200 B stays well under MAX_PAYLOAD)
MAX_COMMAND_TTL = 300.0  # s: a command's expires_at - issued_at may not exceed this
# A-LIVE: one face-masked JPEG (face.snapshot) per Snapshot; base64 of 11 KiB is 15 KiB,
# which leaves room for the envelope under MAX_PAYLOAD.
MAX_SNAPSHOT_JPEG = 11 * 1024
MAX_LIVE_VIEW_S = 60  # a live view runs at most this long per command

Text = Annotated[str, StringConstraints(max_length=256)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Scalar = Text | int | float | bool | None
Nonce = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{22,64}$")]  # b64url
RequestId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,128}$")]
Serial = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$")]
Seq = Annotated[int, Field(ge=1)]
EpochS = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Strict(BaseModel):
    # Unknown fields are refused everywhere; the wire path (codec.parse) validates
    # with strict=True, while Python code may build models from plain str values.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Message(_Strict):
    """Base of every top-level message: carries the wire version."""

    v: Literal[1] = 1


class FirmwareProgress(_Strict):
    """Where the lock's current (or last) firmware update is (A-OTA-STATUS): what the
    app and Home Assistant show. `written` / `size` are bytes written to the inactive
    slot; `reason` says why it was refused or rolled back.
    """

    stage: Literal["writing", "verifying", "trial", "installed", "rolled_back", "refused"]
    version: Annotated[str, StringConstraints(max_length=32)]
    from_version: Annotated[str, StringConstraints(max_length=32)] = ""
    written: int = Field(default=0, ge=0)
    size: int = Field(default=0, ge=0)
    reason: Name | None = None
    request_id: RequestId | None = None


class StateReport(Message):
    """The app-facing status (A-STATUS), published retained on every change."""

    online: bool = True
    door: DoorState
    bolt: BoltState
    modes: dict[Mode, bool] = Field(default_factory=dict)
    battery: int = Field(ge=0, le=100)
    usb_power: bool = False
    tamper: bool = False
    lockout_remaining_s: int = Field(default=0, ge=0)
    last_event_seq: int = Field(default=0, ge=0)
    firmware: Annotated[str, StringConstraints(max_length=32)] = ""
    firmware_update: FirmwareProgress | None = None  # A-OTA-STATUS; absent from old locks
    sent_at: EpochS = 0.0


class Event(_Strict):
    """One journal event (D-LOG): who, how, from where; never a secret (D-PRIV)."""

    seq: Seq
    at: EpochS
    kind: EventKind
    user_no: int | None = Field(default=None, ge=0, le=999)
    method: Method | None = None
    source: Source | None = None
    details: dict[Name, Scalar] = Field(default_factory=dict, max_length=16)
    # The chain (issue 12): the hash of the lock's previous event, `event_hash`; None
    # from a lock older than the chain.
    prev_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None

    @model_validator(mode="after")
    def _no_secrets(self) -> Event:
        bad = sorted(k for k in self.details if is_secret_key(k))
        if bad:
            raise ValueError(f"event details may not carry secrets or face data: {bad}")
        return self


def event_hash(event: Event) -> str:
    """The chain hash of `event` (docs/link.md): the next event's `prev_hash` must be
    this. The first event of a lock has `prev_hash` == `GENESIS`.
    """
    return _wire_hash(event.model_dump(mode="json"))


class EventBatch(Message):
    """Unacknowledged events in seq order. `acked_through` is the lock's own ack
    pointer: events at or below it will never be sent again (e.g. before pairing).
    """

    acked_through: int = Field(ge=0)
    events: list[Event] = Field(min_length=1, max_length=MAX_BATCH)

    @model_validator(mode="after")
    def _ordered(self) -> EventBatch:
        last = self.acked_through
        for e in self.events:
            if e.seq <= last:
                raise ValueError(f"event seqs must strictly increase past {last}, got {e.seq}")
            last = e.seq
        return self


class Ack(Message):
    """The cloud has stored every event up to and including `up_to_seq`."""

    up_to_seq: int = Field(ge=0)


class ShadowDesired(Message):
    """Settings the app wants (A-SETTINGS); retained, so an offline lock gets them."""

    version: int = Field(ge=1)
    settings: dict[Name, Scalar] = Field(max_length=64)


class ShadowReported(Message):
    """Settings the lock has, the desired version it last applied, and refusals."""

    version: int = Field(ge=0)
    settings: dict[Name, Scalar] = Field(max_length=64)
    rejected: dict[Name, Text] = Field(default_factory=dict, max_length=64)


class LinkAction(enum.StrEnum):
    """Commands the lock's shell runs itself (they need I/O the core must not do).

    `firmware_update` (A-OTA): params `release` = a vendor-signed release
    (`link.firmware.SignedRelease` as JSON); the lock verifies, fetches, installs.
    `live_view` (A-LIVE): params `seconds` (1..MAX_LIVE_VIEW_S); the lock sends a
    face-masked `Snapshot` about once a second for that long.
    """

    FIRMWARE_UPDATE = "firmware_update"
    LIVE_VIEW = "live_view"


class Command(Message):
    """A remote command (A-REMOTE, A-USERS, A-TEMP, A-OTA); signed, single-use,
    short-lived. `action` is a core `RemoteAction` or a shell `LinkAction`.
    """

    request_id: RequestId
    action: RemoteAction | LinkAction
    params: dict[Name, JsonValue] = Field(default_factory=dict, max_length=32)
    issued_at: EpochS
    expires_at: EpochS
    nonce: Nonce

    @model_validator(mode="after")
    def _window(self) -> Command:
        ttl = self.expires_at - self.issued_at
        if not 0 < ttl <= MAX_COMMAND_TTL:
            raise ValueError(f"expires_at must be within {MAX_COMMAND_TTL:.0f} s after issued_at")
        return self


class CommandResult(Message):
    """The lock's answer to one command; `reason` is an `ErrorCode` value."""

    request_id: RequestId
    ok: bool
    reason: Name | None = None
    data: dict[Name, Scalar] = Field(default_factory=dict, max_length=32)


class Snapshot(Message):
    """A-LIVE: one picture from the lock's camera, made on the lock with every face
    masked and scaled down (`face.snapshot`, D-PRIV); `kind` says why it was taken.
    `seq` counts the lock's snapshots since it started (the app keeps the newest).
    """

    kind: Literal["doorbell", "live"]
    seq: Seq
    taken_at: EpochS
    jpeg_b64: Annotated[
        str,
        StringConstraints(
            min_length=8,
            max_length=(MAX_SNAPSHOT_JPEG + 2) // 3 * 4,
            pattern=r"^/9j/[A-Za-z0-9+/]*={0,2}$",  # base64 of a JPEG (FF D8 FF)
        ),
    ]


class PairingHello(Message):
    """Lock in pairing mode: "I am `serial` and know the label code" (D-PAIR)."""

    serial: Serial
    lock_nonce: Nonce
    sent_at: EpochS
    firmware: Annotated[str, StringConstraints(max_length=32)] = ""
    proof: Nonce  # b64url HMAC-SHA256, see pairing.py


class PairingCredentials(Message):
    """The cloud's answer: the lock's credentials sealed with the code key (D-PAIR)."""

    serial: Serial
    lock_nonce: Nonce
    cloud_nonce: Nonce
    issued_at: EpochS
    box: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,4096}$")]


class HaCommand(_Strict):
    """A command from Home Assistant (A-HA): the lock's command_template renders
    `{action, code, at}` (`at` = HA's clock, so a late or repeated one does nothing);
    the update entity sends `{"action": "INSTALL"}` (A-OTA, the lock's own checks).
    """

    action: Literal["LOCK", "UNLOCK", "OPEN", "INSTALL"]
    code: Annotated[str, StringConstraints(max_length=20)] | None = None
    at: EpochS | None = None


class FirmwareOffer(Message):
    """The newest vendor-signed release the cloud offers this lock (A-OTA), retained;
    `release` is None when there is nothing newer. The lock trusts only the vendor's
    signature inside (`link.firmware.verify_release`); this lets Home Assistant's
    update entity show it and install it through the same path as the app.
    """

    release: dict[str, JsonValue] | None = None


Body = (
    StateReport
    | EventBatch
    | Ack
    | ShadowDesired
    | ShadowReported
    | Command
    | CommandResult
    | Snapshot
    | FirmwareOffer
    | PairingHello
    | PairingCredentials
)
