"""The bolt and door as a transition table (D-BOLT, D-AJAR, D-MODE-PASS, D-MODE-VIRT).

`TABLE[(phase, event)] = (next phase, actions)`. A pair not in the table changes
nothing: a reader sees the whole machine here, and `diagram()` draws it for the
docs (`python -c "from smartlock.device.core.door import diagram; print(diagram())"`).
"""

from __future__ import annotations

import enum

from smartlock.device.core.mermaid import state_diagram
from smartlock.vocab import BoltState, DoorState


class Phase(enum.StrEnum):
    LOCKED = "locked"  # door closed, bolt thrown
    UNLATCHED = "unlatched"  # bolt retracted, door closed, relock timer running
    OPEN = "open"  # door open
    THROWING = "throwing"  # motor asked to throw, waiting for feedback
    NOT_THROWN = "not_thrown"  # closed but the bolt stayed back (virtually locked)
    JAMMED = "jammed"  # the bolt jammed
    PASSAGE = "passage"  # normally-open mode: bolt held back, door free


class DoorEvent(enum.StrEnum):
    UNLOCK = "unlock"  # a granted unlock (motor)
    LOCK = "lock"  # a lock request (app)
    RELOCK_DUE = "relock_due"  # not opened within auto_relock_s
    DOOR_OPENED = "door_opened"
    DOOR_CLOSED = "door_closed"
    BOLT_THROWN = "bolt_thrown"
    BOLT_RETRACTED = "bolt_retracted"  # by motor, knob or key
    BOLT_JAMMED = "bolt_jammed"
    PASSAGE_ON = "passage_on"
    PASSAGE_OFF = "passage_off"


class Do(enum.StrEnum):
    RETRACT = "retract"  # run the motor back
    THROW = "throw"  # run the motor out
    ARM_RELOCK = "arm_relock"  # (re)start the relock timer


P, E = Phase, DoorEvent
# Where an event leads, and what to do on the way (most outcomes recur).
_UNLOCK = (P.UNLATCHED, (Do.RETRACT, Do.ARM_RELOCK))
_UNLATCHED = (P.UNLATCHED, (Do.ARM_RELOCK,))
_THROW = (P.THROWING, (Do.THROW,))
_PASSAGE = (P.PASSAGE, (Do.RETRACT,))
_LOCKED = (P.LOCKED, ())
_OPEN = (P.OPEN, ())
_JAMMED = (P.JAMMED, ())
_NOT_THROWN = (P.NOT_THROWN, ())

TABLE: dict[tuple[Phase, DoorEvent], tuple[Phase, tuple[Do, ...]]] = {
    (P.LOCKED, E.UNLOCK): _UNLOCK,
    (P.LOCKED, E.BOLT_RETRACTED): _UNLATCHED,
    (P.LOCKED, E.BOLT_JAMMED): _JAMMED,
    (P.LOCKED, E.DOOR_OPENED): _OPEN,
    (P.LOCKED, E.PASSAGE_ON): _PASSAGE,
    (P.UNLATCHED, E.UNLOCK): _UNLATCHED,
    (P.UNLATCHED, E.DOOR_OPENED): _OPEN,
    (P.UNLATCHED, E.RELOCK_DUE): _THROW,
    (P.UNLATCHED, E.LOCK): _THROW,
    (P.UNLATCHED, E.BOLT_THROWN): _LOCKED,
    (P.UNLATCHED, E.BOLT_JAMMED): _JAMMED,
    (P.UNLATCHED, E.PASSAGE_ON): (P.PASSAGE, ()),
    (P.OPEN, E.DOOR_CLOSED): _THROW,
    (P.OPEN, E.PASSAGE_ON): _PASSAGE,
    (P.THROWING, E.BOLT_THROWN): _LOCKED,
    (P.THROWING, E.BOLT_RETRACTED): _NOT_THROWN,
    (P.THROWING, E.BOLT_JAMMED): _JAMMED,
    (P.THROWING, E.DOOR_OPENED): _OPEN,
    (P.THROWING, E.UNLOCK): _UNLOCK,
    (P.THROWING, E.PASSAGE_ON): _PASSAGE,
    (P.NOT_THROWN, E.UNLOCK): _UNLOCK,
    (P.NOT_THROWN, E.LOCK): _THROW,
    (P.NOT_THROWN, E.BOLT_THROWN): _LOCKED,
    (P.NOT_THROWN, E.DOOR_OPENED): _OPEN,
    (P.NOT_THROWN, E.PASSAGE_ON): _PASSAGE,
    (P.JAMMED, E.UNLOCK): _UNLOCK,
    (P.JAMMED, E.LOCK): _THROW,
    (P.JAMMED, E.BOLT_THROWN): _LOCKED,
    (P.JAMMED, E.BOLT_RETRACTED): _NOT_THROWN,
    (P.JAMMED, E.DOOR_OPENED): _OPEN,
    (P.JAMMED, E.PASSAGE_ON): _PASSAGE,
    (P.PASSAGE, E.PASSAGE_OFF): _UNLATCHED,
    (P.PASSAGE, E.BOLT_THROWN): _PASSAGE,
}

BOLT_EVENTS = {
    BoltState.THROWN: E.BOLT_THROWN,
    BoltState.RETRACTED: E.BOLT_RETRACTED,
    BoltState.JAMMED: E.BOLT_JAMMED,
}


def step(phase: Phase, event: DoorEvent) -> tuple[Phase, tuple[Do, ...]]:
    """The next phase and the actions to take; unknown pairs leave the phase alone."""
    return TABLE.get((phase, event), (phase, ()))


def door_state(phase: Phase, *, door_open: bool, ajar: bool, detect_virtual: bool) -> DoorState:
    """What the app shows (A-STATUS) for a phase and the door sensor."""
    if door_open:
        return DoorState.AJAR if ajar else DoorState.OPEN
    if phase is P.LOCKED:
        return DoorState.LOCKED
    if phase is P.JAMMED:
        return DoorState.JAMMED
    if phase is P.NOT_THROWN and detect_virtual:
        return DoorState.VIRTUALLY_LOCKED
    return DoorState.UNLOCKED


def diagram() -> str:
    """The table as Mermaid state-diagram text (for docs/device-core.md)."""
    return state_diagram(TABLE.items())
