"""The bootloader's decision over two firmware slots (D-OTA-AB, D-OTA-TRIAL, D-OTA-BOOT).

A lock has two firmware slots, `a` and `b`. A small boot-control record says which
slot is the known-good one (`active`), which one is being tried (`trial`), how many
boots the trial has left (`tries_left`) and whether the slot that runs has confirmed
itself healthy (`confirmed`). An update is written to the slot that is *not* active,
checked, then marked as the trial; the next boot runs it; the new firmware confirms
itself (it reached the cloud and its self-test passed, D-OTA-CONFIRM) and only then
becomes active. Anything else, a crash, a power cut, a failed self-test or a missed
deadline, makes the next boot go back to the active slot (D-OTA-ROLLBACK).

Pure: no file, no clock. `decide(control, bootable)` is what a bootloader runs at
power-on; the caller writes the returned control record (atomically) *before* it
jumps into the slot, so a power cut during the boot counts the try. The whole
decision is the `TABLE` below, keyed by what the record says about the trial and
which slots verify; `diagram()` prints it.

>>> good = SlotImage("0.1.0", "0" * 64, 1)
>>> new = SlotImage("0.2.0", "1" * 64, 1)
>>> c = stage(BootControl(a=good), new, request_id="fw-1")
>>> c.trial, c.tries_left, c.confirmed
(<Slot.B: 'b'>, 1, False)
>>> d = decide(c, frozenset({Slot.A, Slot.B}))
>>> d.kind.value, d.slot.value, d.control.tries_left
('trial', 'b', 0)
>>> again = decide(d.control, frozenset({Slot.A, Slot.B}))  # it never confirmed
>>> again.kind.value, again.slot.value, again.reason, again.control.b
('rollback', 'a', 'not_confirmed', None)
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

from smartlock.errors import ErrorCode, Fault, SmartlockError

TRIAL_TRIES = 1  # boots a new slot gets to confirm itself; a power cut in it counts


class Slot(enum.StrEnum):
    A = "a"
    B = "b"

    @property
    def other(self) -> Slot:
        return Slot.B if self is Slot.A else Slot.A


class BootKind(enum.StrEnum):
    """What the bootloader did."""

    NORMAL = "normal"  # the active (known-good) slot
    TRIAL = "trial"  # the new slot, on trial: it must confirm itself before the deadline
    ROLLBACK = "rollback"  # the trial failed: back to the active slot, the trial erased
    FALLBACK = "fallback"  # the preferred slot does not verify: the other one, still good
    NO_SLOT = "no_slot"  # neither slot verifies (D-OTA-POWER says this never happens)


class BootError(SmartlockError):
    """A boot-control record or slot image that cannot be used (the lock's own fault)."""

    code = ErrorCode.BOOT_FAILED
    fault = Fault.OURS


@dataclass(frozen=True, slots=True)
class SlotImage:
    """What a slot holds, as the signed manifest described it (the boot check's input)."""

    version: str
    sha256: str
    size: int

    def __post_init__(self) -> None:
        if not isinstance(self.version, str) or not 0 < len(self.version) <= 32:
            raise BootError(f"bad slot version {self.version!r}")
        if not isinstance(self.sha256, str) or len(self.sha256) != 64:
            raise BootError("a slot's sha256 is 64 hex digits")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 1:
            raise BootError("a slot's size is a positive int")


@dataclass(frozen=True, slots=True)
class BootReport:
    """The outcome of the last update, kept in the record until the lock journals it."""

    result: str  # "installed" | "rolled_back"
    version: str  # the version that was tried
    from_version: str  # the version that ran before it
    request_id: str
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.result not in ("installed", "rolled_back"):
            raise BootError(f"unknown boot report {self.result!r}")


@dataclass(frozen=True, slots=True)
class BootControl:
    """The boot-control record (written whole and atomically by `slots.SlotStore`)."""

    active: Slot = Slot.A
    trial: Slot | None = None
    tries_left: int = 0
    confirmed: bool = True
    a: SlotImage | None = None
    b: SlotImage | None = None
    failure: str | None = None  # why the trial gave up (it writes this, then reboots)
    request_id: str | None = None  # the update on trial
    report: BootReport | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "active", Slot(self.active))
        if self.trial is not None:
            object.__setattr__(self, "trial", Slot(self.trial))
        if isinstance(self.tries_left, bool) or not 0 <= self.tries_left <= 9:
            raise BootError("tries_left is 0-9")

    def image(self, slot: Slot) -> SlotImage | None:
        return self.a if slot is Slot.A else self.b

    def with_image(self, slot: Slot, image: SlotImage | None) -> BootControl:
        if slot is Slot.A:
            return dataclasses.replace(self, a=image)
        return dataclasses.replace(self, b=image)

    @property
    def on_trial(self) -> bool:
        """A trial is pending or running: no second update until it is settled."""
        return self.trial is not None and self.trial is not self.active


# ------------------------------------------------------------------ the decision


class TrialState(enum.StrEnum):
    NONE = "none"  # no trial: boot the active slot
    PENDING = "pending"  # staged, tries left: boot it on trial
    CONFIRMED = "confirmed"  # the trial said it is healthy: it becomes active
    GAVE_UP = "gave_up"  # the trial recorded why it failed (self-test, cloud, deadline)
    EXHAUSTED = "exhausted"  # no tries left and never confirmed: a crash or power cut


def trial_state(control: BootControl) -> TrialState:
    if not control.on_trial:
        return TrialState.NONE
    if control.confirmed:
        return TrialState.CONFIRMED
    if control.failure:
        return TrialState.GAVE_UP
    return TrialState.PENDING if control.tries_left > 0 else TrialState.EXHAUSTED


# (trial state, the candidate verifies, the active slot verifies) -> (kind, reason).
# The candidate is the trial slot, or with no trial the other slot (the fallback).
TABLE: dict[tuple[TrialState, bool, bool], tuple[BootKind, str | None]] = {
    (TrialState.NONE, True, True): (BootKind.NORMAL, None),
    (TrialState.NONE, False, True): (BootKind.NORMAL, None),
    (TrialState.NONE, True, False): (BootKind.FALLBACK, "active_slot_damaged"),
    (TrialState.NONE, False, False): (BootKind.NO_SLOT, "no_bootable_slot"),
    (TrialState.PENDING, True, True): (BootKind.TRIAL, None),
    (TrialState.PENDING, True, False): (BootKind.TRIAL, None),
    (TrialState.PENDING, False, True): (BootKind.ROLLBACK, "bad_image"),
    (TrialState.PENDING, False, False): (BootKind.NO_SLOT, "no_bootable_slot"),
    (TrialState.CONFIRMED, True, True): (BootKind.NORMAL, None),
    (TrialState.CONFIRMED, True, False): (BootKind.NORMAL, None),
    (TrialState.CONFIRMED, False, True): (BootKind.ROLLBACK, "bad_image"),
    (TrialState.CONFIRMED, False, False): (BootKind.NO_SLOT, "no_bootable_slot"),
    (TrialState.GAVE_UP, True, True): (BootKind.ROLLBACK, None),  # reason: the trial's own
    (TrialState.GAVE_UP, False, True): (BootKind.ROLLBACK, None),
    (TrialState.GAVE_UP, True, False): (BootKind.FALLBACK, "previous_slot_damaged"),
    (TrialState.GAVE_UP, False, False): (BootKind.NO_SLOT, "no_bootable_slot"),
    (TrialState.EXHAUSTED, True, True): (BootKind.ROLLBACK, "not_confirmed"),
    (TrialState.EXHAUSTED, False, True): (BootKind.ROLLBACK, "not_confirmed"),
    (TrialState.EXHAUSTED, True, False): (BootKind.FALLBACK, "previous_slot_damaged"),
    (TrialState.EXHAUSTED, False, False): (BootKind.NO_SLOT, "no_bootable_slot"),
}


@dataclass(frozen=True, slots=True)
class BootDecision:
    kind: BootKind
    slot: Slot | None  # the slot to run (None only for NO_SLOT)
    control: BootControl  # write this before running `slot`
    reason: str | None = None


def decide(control: BootControl, bootable: frozenset[Slot]) -> BootDecision:
    """Which slot to boot and the record to write first (D-OTA-BOOT).

    `bootable`: the slots whose image is present and whose SHA-256 matches the record.
    Never picks a slot that does not verify; never keeps a trial that failed; a
    trial gets `tries_left` boots, each counted before it runs.
    """
    state = trial_state(control)
    candidate = control.trial if control.on_trial else control.active.other
    assert candidate is not None
    kind, reason = TABLE[(state, candidate in bootable, control.active in bootable)]
    active = control.active
    if kind is BootKind.NORMAL and state is TrialState.CONFIRMED:
        return BootDecision(kind, candidate, _settled(control, candidate, "installed", None))
    if kind is BootKind.NORMAL:
        return BootDecision(kind, active, _clean(control))
    if kind is BootKind.TRIAL:
        counted = dataclasses.replace(control, tries_left=control.tries_left - 1)
        return BootDecision(kind, candidate, counted)
    if kind is BootKind.ROLLBACK:
        why = reason or control.failure or "not_confirmed"
        back = _settled(control, active, "rolled_back", why).with_image(candidate, None)
        return BootDecision(kind, active, back, why)
    if kind is BootKind.FALLBACK:
        # The candidate verifies and the preferred slot does not: run what runs and make
        # it active (a lock that boots beats one that does not); forget the damaged one.
        if state is TrialState.NONE:
            moved = dataclasses.replace(_clean(control), active=candidate)
        else:
            moved = _settled(control, candidate, "installed", reason)
        return BootDecision(kind, candidate, moved.with_image(active, None), reason)
    return BootDecision(BootKind.NO_SLOT, None, control, reason)


def _clean(control: BootControl) -> BootControl:
    return dataclasses.replace(
        control, trial=None, tries_left=0, confirmed=True, failure=None, request_id=None
    )


def _settled(control: BootControl, running: Slot, result: str, reason: str | None) -> BootControl:
    """The trial is over: `running` is active; the outcome waits to be journaled."""
    tried = control.image(control.trial) if control.trial is not None else None
    before = control.image(control.active)
    report = None
    if control.request_id is not None:
        report = BootReport(
            result=result,
            version=tried.version if tried else "unknown",
            from_version=before.version if before else "unknown",
            request_id=control.request_id,
            reason=reason,
        )
    return dataclasses.replace(_clean(control), active=running, report=report)


# --------------------------------------------------------- what the firmware writes


def stage(
    control: BootControl, image: SlotImage, *, request_id: str, tries: int = TRIAL_TRIES
) -> BootControl:
    """The record once `image` is written and verified in the inactive slot: try it."""
    if control.on_trial:
        raise BootError("a trial is already pending")
    target = control.active.other
    return dataclasses.replace(
        control.with_image(target, image),
        trial=target,
        tries_left=tries,
        confirmed=False,
        failure=None,
        request_id=request_id,
        report=None,
    )


def erase(control: BootControl) -> BootControl:
    """The record to write before the inactive slot is overwritten: it is no longer
    an image anyone may boot (so a half-written slot is never a candidate).
    """
    if control.on_trial:
        raise BootError("a trial is pending")
    return control.with_image(control.active.other, None)


def confirm(control: BootControl) -> BootControl:
    """The running trial is healthy (D-OTA-CONFIRM): it becomes the active slot."""
    if not control.on_trial:
        raise BootError("nothing on trial")
    assert control.trial is not None
    return _settled(control, control.trial, "installed", None)


def give_up(control: BootControl, reason: str) -> BootControl:
    """The running trial failed its check: the next boot rolls back, saying `reason`."""
    if not control.on_trial:
        raise BootError("nothing on trial")
    return dataclasses.replace(control, failure=reason)


def reported(control: BootControl) -> BootControl:
    """The outcome is in the journal: forget it."""
    return dataclasses.replace(control, report=None)


def diagram() -> str:
    """The decision table as text (docs/firmware-updates.md shows it)."""
    rows = ["trial state | candidate ok | active ok | boot      | reason"]
    for (state, cand, act), (kind, reason) in TABLE.items():
        why = reason or ("as the trial wrote" if kind is BootKind.ROLLBACK else "")
        rows.append(f"{state:<11} | {cand!s:<12} | {act!s:<9} | {kind:<9} | {why}")
    return "\n".join(rows)
