"""Face unlock on the whole lock with real photos: menu enrolment from five photos,
unlock with another photo, strangers refused, nothing during the face window's off
time, and no face data in anything the lock emits (D-FACE-ENROL, D-FACE-WIN, D-PRIV).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from smartlock.console_cli import open_console
from smartlock.device.core.effects import Effect, JournalEvent, StatusChanged
from smartlock.device.runtime import FastForwardClock
from smartlock.face.decode import load_image
from smartlock.face.engine import FaceEngine
from smartlock.face.observation import to_input
from smartlock.link.runtime_adapter import to_link_event
from smartlock.vocab import EventKind, Method, Pose

from .conftest import frame_of
from .test_enrol import POSE_PHOTOS

T0 = 1_800_000_000.0
PIN = "135790"


class Door:
    """A console lock plus a camera the test points at photos."""

    def __init__(self, data_dir: Path) -> None:
        self.clock = FastForwardClock(lambda: T0)
        self.printed: list[str] = []
        self.console = open_console(data_dir, clock=self.clock, write=self.printed.append)
        self.effects: list[Effect] = []
        self.console.runtime.add_listener(self.effects.append)
        self.console.runtime.boot()
        self.engine = FaceEngine()
        self.embeddings: list[np.ndarray] = []

    def type(self, *lines: str) -> None:
        self.console.run(lines)

    def show(self, photo: Path) -> None:
        reading = self.engine.read(frame_of(photo))
        assert reading.usable, reading.reason
        self.embeddings.append(np.asarray(reading.embedding))
        self.console.runtime.submit(to_input(reading))

    def show_any(self, photo: Path) -> None:
        """Point the camera at a camera-sized photo the gate may refuse (the core hears
        why)."""
        self.console.runtime.submit(to_input(self.engine.read(load_image(photo))))

    def unlocks(self) -> list[JournalEvent]:
        return [
            e for e in self.effects if isinstance(e, JournalEvent) and e.kind is EventKind.UNLOCK
        ]


@pytest.fixture
def door(tmp_path: Path, lfw: Path) -> Door:
    d = Door(tmp_path / "lock")
    d.type("*", f"#{PIN}#{PIN}#")  # D-FIRST: master 001
    d.type("settings", f"{PIN}#", "1", "2", "1")  # menu: new user, normal, face
    for pose in (Pose.FRONT, Pose.RIGHT, Pose.UP, Pose.LEFT, Pose.DOWN):
        d.show(lfw / "Hugo_Chavez" / POSE_PHOTOS[pose])
    d.type("*", "*", "*")
    yield d
    d.console.runtime.stop()


def test_enrolled_from_five_photos_then_unlocks_with_another_D_FACE_ENROL(
    door: Door, lfw: Path
) -> None:
    assert any(
        e.kind is EventKind.CREDENTIAL_ADDED and e.user_no == 2
        for e in door.effects
        if isinstance(e, JournalEvent)
    )
    door.type("wait 40", "5")  # the enrolment's watch window is over; a touch wakes it
    door.show(lfw / "Hugo_Chavez" / "Hugo_Chavez_0017.jpg")
    door.show(lfw / "Hugo_Chavez" / "Hugo_Chavez_0017.jpg")  # frames agree
    opened = door.unlocks()
    assert [(e.user_no, e.method) for e in opened] == [(2, Method.FACE)]


def test_strangers_are_refused_D_FACE_SENS(door: Door, lfw: Path) -> None:
    door.type("wait 40", "5")
    for name in ("Colin_Powell", "George_W_Bush", "Ariel_Sharon", "Gerhard_Schroeder"):
        door.show(sorted((lfw / name).iterdir())[0])
    assert door.unlocks() == []


def test_two_people_in_view_hear_one_person_at_a_time(door: Door, lfw: Path, camera: Path) -> None:
    door.type("wait 40", "5")
    door.show_any(camera / "two_people.jpg")
    assert any("One person at a time" in line for line in door.printed), door.printed[-8:]
    assert door.unlocks() == []
    door.show(lfw / "Hugo_Chavez" / "Hugo_Chavez_0017.jpg")  # alone in view: recognised
    door.show(lfw / "Hugo_Chavez" / "Hugo_Chavez_0017.jpg")
    assert [e.user_no for e in door.unlocks()] == [2]


def test_no_face_unlock_while_the_door_is_open_or_just_closed_D_FACE_WIN(
    door: Door, lfw: Path
) -> None:
    door.type("wait 40", "knob", "door open")  # opened from inside
    assert door.console.runtime.last_status["door"] == "open"
    before = len(door.unlocks())
    door.show(lfw / "Hugo_Chavez" / "Hugo_Chavez_0017.jpg")
    door.type("door close")
    door.show(lfw / "Hugo_Chavez" / "Hugo_Chavez_0017.jpg")  # within 2 s of closing
    assert len(door.unlocks()) == before


def test_no_template_leaves_the_lock_in_any_message_D_PRIV(door: Door, lfw: Path) -> None:
    door.type("wait 40", "5")
    door.show(lfw / "Hugo_Chavez" / "Hugo_Chavez_0017.jpg")
    door.show(lfw / "Hugo_Chavez" / "Hugo_Chavez_0017.jpg")
    wire: list[str] = []
    for e in door.effects:
        if isinstance(e, JournalEvent):
            wire.append(to_link_event(e).model_dump_json())
        elif isinstance(e, StatusChanged):
            wire.append(repr(e.status))
    wire += door.printed
    text = "\n".join(wire)
    assert wire and "embedding" not in text
    for emb in door.embeddings:  # no component of any seen face, at any printed precision
        for value in emb[:16]:
            assert f"{value:.4f}" not in text
