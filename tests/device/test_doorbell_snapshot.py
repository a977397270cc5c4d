"""The core asks for a doorbell snapshot (A-LIVE) only when the setting allows; the
picture itself is the shell's job, made face-free on the lock (D-PRIV)."""

from __future__ import annotations

from smartlock.device.core.effects import PERCEPTIBLE, Chime, JournalEvent, TakeSnapshot
from smartlock.device.core.inputs import BatteryLevel, DoorbellKey, RemoteAction
from smartlock.device.core.settings import Settings
from smartlock.vocab import EventKind

from .rig import Rig


def test_doorbell_press_asks_for_a_snapshot_A_LIVE() -> None:
    rig = Rig()
    assert Settings().doorbell_snapshot  # on by default: faces are masked (D-PRIV)
    out = rig.feed(DoorbellKey())
    assert any(isinstance(e, Chime) for e in out)
    assert [e.kind for e in out if isinstance(e, JournalEvent)] == [EventKind.DOORBELL]
    assert [e for e in out if isinstance(e, TakeSnapshot)] == [TakeSnapshot("doorbell")]
    assert TakeSnapshot not in PERCEPTIBLE


def test_no_snapshot_when_the_owner_switched_it_off_A_LIVE_D_PRIV() -> None:
    rig = Rig()
    rig.first_master()
    result = rig.remote(RemoteAction.CHANGE_SETTING, name="doorbell_snapshot", value=False)
    assert result.ok, result
    out = rig.feed(DoorbellKey())
    assert any(isinstance(e, Chime) for e in out)  # still rings indoors and is journalled
    assert [e.kind for e in out if isinstance(e, JournalEvent)] == [EventKind.DOORBELL]
    assert not any(isinstance(e, TakeSnapshot) for e in out)


def test_no_snapshot_on_critical_battery_radio_off_A_LIVE() -> None:
    rig = Rig()
    rig.feed(BatteryLevel(3))  # D-BATT-CRIT: the radio is off, nothing could be sent
    out = rig.feed(DoorbellKey())
    assert any(isinstance(e, Chime) for e in out)
    assert not any(isinstance(e, TakeSnapshot) for e in out)
