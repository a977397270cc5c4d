"""Table-driven checks of the small rule holders: door table, lockout, keypad, poses.

Rules proved here (named in the tests' names): A-STATUS, D-FACE-ENROL, D-FACE-WIN, D-KEY-PIN,
D-LOCKOUT.
"""

from __future__ import annotations

import pytest

from smartlock.device.core import door, lockout
from smartlock.device.core.door import Do, DoorEvent, Phase
from smartlock.device.core.enrol import classify
from smartlock.device.core.face_window import FaceWindow, WindowEnd
from smartlock.device.core.keypad import KeypadBuffer
from smartlock.device.core.records import LockoutState
from smartlock.vocab import DoorState, Pose

P, E = Phase, DoorEvent


@pytest.mark.parametrize(
    ("phase", "event", "next_phase", "actions"),
    [
        (P.LOCKED, E.UNLOCK, P.UNLATCHED, (Do.RETRACT, Do.ARM_RELOCK)),  # D-BOLT
        (P.UNLATCHED, E.RELOCK_DUE, P.THROWING, (Do.THROW,)),  # D-BOLT: 5 s, not opened
        (P.UNLATCHED, E.DOOR_OPENED, P.OPEN, ()),
        (P.OPEN, E.DOOR_CLOSED, P.THROWING, (Do.THROW,)),  # D-BOLT: close -> throw
        (P.THROWING, E.BOLT_THROWN, P.LOCKED, ()),
        (P.THROWING, E.BOLT_JAMMED, P.JAMMED, ()),  # D-AJAR
        (P.THROWING, E.BOLT_RETRACTED, P.NOT_THROWN, ()),  # D-MODE-VIRT
        (P.LOCKED, E.PASSAGE_ON, P.PASSAGE, (Do.RETRACT,)),  # D-MODE-PASS
        (P.PASSAGE, E.DOOR_CLOSED, P.PASSAGE, ()),  # no throw in passage mode
        (P.PASSAGE, E.PASSAGE_OFF, P.UNLATCHED, (Do.ARM_RELOCK,)),
        (P.LOCKED, E.RELOCK_DUE, P.LOCKED, ()),  # not in the table: nothing happens
    ],
)
def test_door_table_D_BOLT(
    phase: Phase, event: DoorEvent, next_phase: Phase, actions: tuple[Do, ...]
) -> None:
    assert door.step(phase, event) == (next_phase, actions)


@pytest.mark.parametrize(
    ("phase", "is_open", "ajar", "virt", "shown"),
    [
        (P.LOCKED, False, False, True, DoorState.LOCKED),
        (P.OPEN, True, False, True, DoorState.OPEN),
        (P.OPEN, True, True, True, DoorState.AJAR),
        (P.NOT_THROWN, False, False, True, DoorState.VIRTUALLY_LOCKED),
        (P.NOT_THROWN, False, False, False, DoorState.UNLOCKED),
        (P.JAMMED, False, False, True, DoorState.JAMMED),
    ],
)
def test_door_state_shown_to_the_app_A_STATUS(
    phase: Phase, is_open: bool, ajar: bool, virt: bool, shown: DoorState
) -> None:
    assert door.door_state(phase, door_open=is_open, ajar=ajar, detect_virtual=virt) is shown


def test_door_diagram_lists_every_transition() -> None:
    assert door.diagram().count("-->") == len(door.TABLE)


def test_lockout_counts_5_in_a_row_within_5_minutes_D_LOCKOUT() -> None:
    state = LockoutState()
    for t in (0, 60, 120, 180):
        state, started = lockout.failed(state, t)
        assert not started
    state, started = lockout.failed(state, 240)
    assert started and lockout.remaining(state, 240) == 180
    assert lockout.minutes_left(state, 300) == 2
    state, ended = lockout.expire(state, 420)
    assert ended and lockout.remaining(state, 420) == 0


def test_keypad_buffer_overflow_and_idle_D_KEY_PIN() -> None:
    buf = KeypadBuffer()
    for i in range(21):
        buf.add(str(i % 10), 100.0)
    assert buf.take() == ("01234567890123456789", True)
    buf.add("1", 100.0)
    assert not buf.idle_expired(109.9) and buf.idle_expired(110.0)


@pytest.mark.parametrize(
    ("yaw", "pitch", "pose"),
    [
        (0, 0, Pose.FRONT),
        (20, 0, Pose.RIGHT),
        (-20, 0, Pose.LEFT),
        (0, 20, Pose.UP),
        (0, -20, Pose.DOWN),
        (60, 0, None),
        (20, 20, None),
        (25, -17, Pose.RIGHT),  # a real "slightly right" photo: the head tilts a little too
        (3, -30, Pose.DOWN),
    ],
)
def test_pose_classification_D_FACE_ENROL(yaw: float, pitch: float, pose: Pose | None) -> None:
    assert classify(yaw, pitch) is pose


def test_face_window_blackout_and_failure_D_FACE_WIN() -> None:
    w = FaceWindow()
    w.door_opened()
    assert not w.touch(10.0, 30)  # door open: no window
    w.door_closed(20.0, auto_watch=True)
    assert not w.touch(21.0, 30)  # within 2 s of closing
    assert w.tick(22.0, 30) == (True, None)
    w.saw_face(matched=False)
    assert w.tick(52.0, 30) == (False, WindowEnd.FAILED)
