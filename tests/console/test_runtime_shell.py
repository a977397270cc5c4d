"""The runtime plays the core's effects on the hardware and commits every step.

Rules proved here (named in the tests' names): A-LIVE, A-REMOTE, D-AJAR, D-BATT-LOW, D-FACE-
WIN, D-KEY-SHOW, D-LOG, D-TAMPER.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smartlock.device import ErrorCode, StoreError, open_lock
from smartlock.device.core.effects import Chime, CommandResult, Effect, JournalEvent
from smartlock.device.core.inputs import (
    DoorbellKey,
    KeyPress,
    NoFace,
    RemoteAction,
    RemoteCommand,
    SettingsKey,
)
from smartlock.device.core.prompts import PromptId, render
from smartlock.device.runtime import FastForwardClock, LockRuntime
from smartlock.errors import InputError
from smartlock.hal import ButtonId, Mechanism, button_event, mechanism_event
from smartlock.hal.virtual import VirtualLock
from smartlock.vocab import BoltState, EventKind

T0 = 1_800_000_000.0
PIN = "123456"


class Rig:
    def __init__(self, path: Path, start: float = T0, **options: Any) -> None:
        self.durable = open_lock(path, serial="SL-TEST", verification_code="ABC123")
        self.lock = VirtualLock()
        self.clock = FastForwardClock(lambda: start)
        self.runtime = LockRuntime(
            core=self.durable, hardware=self.lock.hardware, clock=self.clock, **options
        )
        self.effects: list[Effect] = []
        self.runtime.add_listener(self.effects.append)
        self.runtime.boot()

    def keys(self, text: str) -> None:
        self.lock.keypad.type(text)

    def with_master(self) -> Rig:
        self.keys(f"1#{PIN}#{PIN}#")
        return self

    def events(self) -> list[EventKind]:
        return [e.kind for e in self.effects if isinstance(e, JournalEvent)]


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return Rig(tmp_path / "lock.db").with_master()


def test_unlock_drives_the_bolt_display_and_speaker_D_BOLT_D_KEY_SHOW(rig):
    rig.keys(f"{PIN}#")
    assert rig.lock.bolt.state is BoltState.RETRACTED
    assert rig.lock.display.text == "001"
    assert render(PromptId.UNLOCKED, "en") in rig.lock.speaker.said
    rig.lock.open_door()
    rig.lock.close_door()  # D-BOLT: closing the door throws the bolt
    assert rig.lock.bolt.state is BoltState.THROWN
    assert rig.events()[-1] is EventKind.LOCKED


def test_every_step_is_committed_to_the_store_D_LOG(rig, tmp_path):
    rig.keys(f"{PIN}#")
    rig.durable.store.close()
    reopened = open_lock(tmp_path / "lock.db", serial="X", verification_code="Y")
    kinds = [e.kind for e in reopened.store.events(limit=100)]
    assert kinds[-1] is EventKind.UNLOCK and EventKind.USER_ADDED in kinds
    assert [u.number for u in reopened.core.users()] == [1]


def test_a_jammed_bolt_is_reported_and_beeps_D_AJAR(rig):
    rig.keys(f"{PIN}#")
    rig.lock.bolt.jam = True
    beeps = rig.lock.speaker.beeps
    rig.runtime.advance(6)  # not opened: relock, but the bolt jams
    assert rig.lock.bolt.state is BoltState.JAMMED
    assert EventKind.JAMMED in rig.events()
    assert rig.lock.speaker.beeps > beeps
    assert render(PromptId.DOOR_NOT_CLOSED, "en") in rig.lock.speaker.said


def test_tamper_sounds_the_siren_until_the_panel_is_back_D_TAMPER(rig):
    rig.lock.tamper.set(True)
    assert rig.lock.speaker.siren_on and EventKind.TAMPER in rig.events()
    rig.lock.tamper.set(False)
    assert not rig.lock.speaker.siren_on


def test_low_battery_lights_the_led_D_BATT_LOW(rig):
    rig.lock.battery.set_level(15)
    assert rig.lock.low_battery_led.lit
    rig.lock.usb.plug(True)
    rig.lock.battery.set_level(60)
    assert not rig.lock.low_battery_led.lit


def test_advance_fast_forwards_the_clock_in_ticks(rig):
    before = rig.clock()
    rig.runtime.advance(2.5)
    assert rig.clock() == pytest.approx(before + 2.5)


def test_injected_remote_commands_act_once_and_answer_the_link_A_REMOTE(rig):
    command = RemoteCommand(
        "req-1", RemoteAction.SET_MODE, {"mode": "anti_lock", "on": True}, expires_at=T0 + 60
    )
    first = rig.runtime.submit(command)
    assert CommandResult("req-1", True) in first and CommandResult("req-1", True) in rig.effects
    assert render(PromptId.ANTI_LOCK_ON, "en") in rig.lock.speaker.said
    again = rig.runtime.submit(command)  # the same request twice does nothing
    assert [type(e) for e in again] == [CommandResult] and not again[0].ok
    refused = rig.runtime.submit(RemoteCommand("req-2", RemoteAction.UNLOCK, expires_at=T0 + 60))
    assert CommandResult("req-2", False, ErrorCode.REMOTE_UNLOCK_DISABLED) in refused
    assert rig.lock.bolt.state is BoltState.THROWN


async def test_outbox_queue_receives_journal_events_A_LIVE(rig):
    queue, remove = rig.runtime.outbox()
    await rig.runtime.asubmit(DoorbellKey())
    seen = [await asyncio.wait_for(queue.get(), 5)]
    while not queue.empty():
        seen.append(queue.get_nowait())
    assert Chime() in seen
    assert [e.kind for e in seen if isinstance(e, JournalEvent)] == [EventKind.DOORBELL]
    remove()
    rig.lock.press(ButtonId.DOORBELL)
    await asyncio.sleep(0)
    assert queue.empty()  # a removed listener hears nothing more


def test_inputs_from_many_threads_are_all_journaled_once_D_LOG(rig):
    def ring() -> None:
        for _ in range(10):
            rig.lock.press(ButtonId.DOORBELL)

    threads = [threading.Thread(target=ring) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bells = [e for e in rig.effects if isinstance(e, JournalEvent) and e.kind is EventKind.DOORBELL]
    assert len(bells) == 40 and len({e.seq for e in bells}) == 40
    assert rig.lock.speaker.chimes == 40


def test_buttons_and_mechanisms_make_the_core_inputs():
    assert type(mechanism_event(Mechanism.KNOB)).__name__ == "Knob"
    assert button_event(ButtonId.SETTINGS, 3.0) == SettingsKey(3.0)
    assert button_event(ButtonId.DOORBELL) == DoorbellKey()
    with pytest.raises(InputError):
        button_event("hatch")  # type: ignore[arg-type]


def test_a_store_failure_does_not_play_the_effects(tmp_path):
    rig = Rig(tmp_path / "lock.db")
    rig.durable.store.close()  # the flash died
    said = list(rig.lock.speaker.said)
    with pytest.raises(StoreError):
        rig.runtime.submit(KeyPress("1"))
    rig.lock.keypad.type("1")  # from the hardware: logged, the lock keeps running
    assert rig.lock.speaker.said == said


def test_camera_frames_reach_the_face_observer_only_while_watching_D_FACE_WIN(tmp_path):
    frames = []

    def observe(frame):
        frames.append(frame.shape)
        return NoFace()

    rig = Rig(tmp_path / "lock.db", observe_face=observe).with_master()
    rig.runtime.advance(40)  # the watch window after first use has ended
    frames.clear()
    rig.lock.camera.present(np.zeros((48, 64, 3), dtype=np.uint8))
    rig.runtime.advance(3)
    assert frames == [] and not rig.runtime.face_watch
    rig.keys("5")  # D-KEY-WAKE: a touch starts face detection
    rig.runtime.advance(3)
    assert rig.runtime.face_watch and frames == [(48, 64, 3)] * 3


def test_journal_reaches_listeners_in_sequence_while_the_motor_drains_the_battery_D_LOG(rig):
    rig.lock.battery.set_level(19.52)  # shows 20 %: the next motor run drops it to 19 %
    rig.effects.clear()
    rig.keys(f"{PIN}#")
    seqs = [e.seq for e in rig.effects if isinstance(e, JournalEvent)]
    assert EventKind.LOW_BATTERY in rig.events() and EventKind.UNLOCK in rig.events()
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert rig.lock.low_battery_led.lit


def test_voice_follows_the_language_setting_from_the_app_D_MENU_2(rig):
    """Switching the lock's language (app setting) changes the spoken prompts at once."""
    for n, lang in enumerate(("en", "zh")):  # the lock's own default is zh
        rig.runtime.submit(
            RemoteCommand(f"l{n}", RemoteAction.CHANGE_SETTING, {"name": "language", "value": lang})
        )
    rig.lock.speaker.said.clear()
    rig.keys("999999#")
    assert rig.lock.speaker.said[-1] == render(PromptId.VERIFY_FAILED, "zh")
