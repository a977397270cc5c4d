"""Fingerprint enrolment as a transition table (D-FINGER-ENROL, D-FINGER-DUP).

The module needs the same finger pressed `presses` times (2 on an AS608, up to 3 on
an R503) with a lift in between; the lock guides each press ("place your finger",
"lift it", "again"). `TABLE[(stage, event)] = (next stage, actions)`; a pair not in
the table changes nothing. `diagram()` draws it for docs/fingerprint.md.

The first press is searched in the module's library: a finger that is already
enrolled (for anyone) ends the enrolment (D-FINGER-DUP) before anything is stored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from smartlock.device.core.mermaid import state_diagram

STEP_TIMEOUT_S = 10.0  # per press and per lift, like a face pose (D-FACE-ENROL)
DEFAULT_PRESSES = 2
MAX_PRESSES = 3


class Stage(enum.StrEnum):
    PLACE = "place"  # waiting for press `press`
    LIFT = "lift"  # waiting for the finger to leave the glass
    MERGE = "merge"  # the module merges the presses and stores the template
    ENROLLED = "enrolled"
    FAILED = "failed"


class Event(enum.StrEnum):
    CAPTURED = "captured"  # a press was imaged; more presses to go
    LAST_CAPTURED = "last_captured"  # the last press was imaged
    DUPLICATE = "duplicate"  # the first press is a finger already enrolled
    BAD_IMAGE = "bad_image"  # too dry, smudged, partial: the same press again
    LIFTED = "lifted"
    STORED = "stored"
    FAULT = "fault"  # presses differ, flash error, the module stopped answering
    TIMEOUT = "timeout"
    CANCEL = "cancel"  # `*` in the menu, or the menu closed


class Do(enum.StrEnum):
    SAY_LIFT = "say_lift"
    SAY_AGAIN = "say_again"
    SAY_RETRY = "say_retry"  # "place your finger again" after a bad image
    CAPTURE_NEXT = "capture_next"
    CAPTURE_SAME = "capture_same"
    AWAIT_LIFT = "await_lift"
    STORE = "store"
    SAVE = "save"  # record the credential (the template is in the module already)
    SAY_ENROLLED = "say_enrolled"
    SAY_EXISTS = "say_exists"
    SAY_FAILED = "say_failed"
    SCAN = "scan"  # the module goes back to identifying fingers


S, E = Stage, Event
_FAIL = (S.FAILED, (Do.SAY_FAILED, Do.SCAN))
_QUIET = (S.FAILED, (Do.SCAN,))

TABLE: dict[tuple[Stage, Event], tuple[Stage, tuple[Do, ...]]] = {
    (S.PLACE, E.CAPTURED): (S.LIFT, (Do.SAY_LIFT, Do.AWAIT_LIFT)),
    (S.PLACE, E.LAST_CAPTURED): (S.MERGE, (Do.STORE,)),
    (S.PLACE, E.DUPLICATE): (S.FAILED, (Do.SAY_EXISTS, Do.SCAN)),
    (S.PLACE, E.BAD_IMAGE): (S.PLACE, (Do.SAY_RETRY, Do.CAPTURE_SAME)),
    (S.PLACE, E.FAULT): _FAIL,
    (S.PLACE, E.TIMEOUT): _FAIL,
    (S.PLACE, E.CANCEL): _QUIET,
    (S.LIFT, E.LIFTED): (S.PLACE, (Do.SAY_AGAIN, Do.CAPTURE_NEXT)),
    (S.LIFT, E.FAULT): _FAIL,
    (S.LIFT, E.TIMEOUT): _FAIL,
    (S.LIFT, E.CANCEL): _QUIET,
    (S.MERGE, E.STORED): (S.ENROLLED, (Do.SAVE, Do.SAY_ENROLLED, Do.SCAN)),
    (S.MERGE, E.FAULT): _FAIL,
    (S.MERGE, E.TIMEOUT): _FAIL,
    (S.MERGE, E.CANCEL): _QUIET,
}


@dataclass(slots=True)
class FingerEnrolment:
    """One enrolment in progress: whose finger, which press, since when."""

    user_no: int
    duress: bool
    step_started: float
    presses: int = DEFAULT_PRESSES
    press: int = 1
    stage: Stage = Stage.PLACE
    reason: str = "timeout"  # what the failure prompt says

    def __post_init__(self) -> None:
        if not 2 <= self.presses <= MAX_PRESSES:
            raise ValueError(f"a module takes 2 to {MAX_PRESSES} presses, not {self.presses}")

    @property
    def over(self) -> bool:
        return self.stage in (Stage.ENROLLED, Stage.FAILED)

    def feed(self, event: Event, now: float) -> tuple[Do, ...]:
        """Apply one event; the actions to carry out (none when it does not apply)."""
        found = TABLE.get((self.stage, event))
        if found is None:
            return ()
        self.stage, actions = found
        self.step_started = now
        if Do.CAPTURE_NEXT in actions:
            self.press += 1
        return actions

    def captured(self, press: int) -> Event | None:
        """The event a good image of `press` is (None: not the press asked for)."""
        if self.stage is not Stage.PLACE or press != self.press:
            return None
        return Event.LAST_CAPTURED if press >= self.presses else Event.CAPTURED

    def timed_out(self, now: float) -> bool:
        return not self.over and now - self.step_started >= STEP_TIMEOUT_S


def diagram() -> str:
    """The table as Mermaid state-diagram text (for docs/fingerprint.md)."""
    return state_diagram(TABLE.items())
