"""The bootloader's decision over two slots, exhaustively (D-OTA-BOOT, D-OTA-TRIAL,
D-OTA-ROLLBACK, D-OTA-POWER): every boot-control record the fields allow, against
every set of slots that verify.
"""

from __future__ import annotations

import dataclasses
import doctest
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartlock.device.core import boot
from smartlock.device.core.boot import (
    TABLE,
    BootControl,
    BootError,
    BootKind,
    Slot,
    SlotImage,
    TrialState,
    decide,
)

OLD = SlotImage("0.1.0", "a" * 64, 10)
NEW = SlotImage("0.2.0", "b" * 64, 20)
SUBSETS = [frozenset(c) for n in range(3) for c in itertools.combinations(Slot, n)]


def every_record() -> Iterator[BootControl]:
    for active, trial, tries, confirmed, failure, a, b, rid in itertools.product(
        Slot,
        [None, *Slot],
        range(3),
        [True, False],
        [None, "self_test_failed"],
        [None, OLD],
        [None, NEW],
        [None, "fw-1"],
    ):
        yield BootControl(
            active=active,
            trial=trial,
            tries_left=tries,
            confirmed=confirmed,
            failure=failure,
            a=a,
            b=b,
            request_id=rid,
        )


CASES = [(c, s) for c in every_record() for s in SUBSETS]


def test_the_table_covers_every_situation_D_OTA_BOOT() -> None:
    assert set(TABLE) == set(itertools.product(TrialState, [True, False], [True, False]))
    assert "fallback" in boot.diagram() and len(boot.diagram().splitlines()) == len(TABLE) + 1


def test_a_lock_boots_whenever_some_slot_verifies_D_OTA_POWER() -> None:
    """Whatever the record says, a slot that verifies is booted; only a slot that
    verifies is ever booted; and the record written before the jump names it."""
    assert len(CASES) == 2304  # 576 records x 4 sets of slots that verify
    for control, bootable in CASES:
        d = decide(control, bootable)
        if not bootable:
            assert d.kind is BootKind.NO_SLOT and d.slot is None
            continue
        assert d.slot in bootable, (control, bootable, d)
        if d.kind is BootKind.TRIAL:
            assert d.control.trial is d.slot and d.control.tries_left == control.tries_left - 1
        else:
            assert d.control.active is d.slot and not d.control.on_trial
            assert d.control.confirmed and d.control.failure is None


def test_a_trial_that_never_confirms_ends_in_the_previous_slot_D_OTA_ROLLBACK() -> None:
    """Booting again and again without a confirmation leaves the trial after at most
    `tries_left` boots, in the slot that ran before, and says why."""
    for control, bootable in CASES:
        if not (control.on_trial and control.active in bootable and not control.confirmed):
            continue
        current, boots = control, 0
        while True:
            d = decide(current, bootable)
            boots += 1
            if d.kind is not BootKind.TRIAL:
                break
            current = d.control
        assert boots <= control.tries_left + 1
        assert d.kind is BootKind.ROLLBACK and d.slot is control.active
        assert d.control.image(control.trial) is None  # the failed image is never booted again
        assert d.reason in ("not_confirmed", "bad_image", control.failure)
        if control.request_id is not None:
            assert d.control.report is not None and d.control.report.result == "rolled_back"
            assert d.control.report.reason == d.reason


@pytest.mark.parametrize(
    ("failure", "tries", "new_ok", "kind", "reason"),
    [
        (None, 1, True, BootKind.TRIAL, None),
        (None, 0, True, BootKind.ROLLBACK, "not_confirmed"),  # a power cut in the trial
        ("self_test_failed", 0, True, BootKind.ROLLBACK, "self_test_failed"),
        ("cloud_unreachable", 0, True, BootKind.ROLLBACK, "cloud_unreachable"),
        (None, 1, False, BootKind.ROLLBACK, "bad_image"),  # the new slot got damaged
    ],
)
def test_trial_outcomes_by_case_D_OTA_TRIAL(
    failure: str | None, tries: int, new_ok: bool, kind: BootKind, reason: str | None
) -> None:
    staged = boot.stage(BootControl(a=OLD), NEW, request_id="fw-1")
    control = dataclasses.replace(staged, tries_left=tries, failure=failure)
    d = decide(control, frozenset({Slot.A, Slot.B} if new_ok else {Slot.A}))
    assert (d.kind, d.reason) == (kind, reason)
    assert d.slot is (Slot.B if kind is BootKind.TRIAL else Slot.A)


def test_a_confirmed_trial_becomes_the_active_slot_and_reports_installed_D_OTA_CONFIRM() -> None:
    both = frozenset(Slot)
    trial = decide(boot.stage(BootControl(a=OLD), NEW, request_id="fw-1"), both).control
    confirmed = boot.confirm(trial)
    assert (confirmed.active, confirmed.trial, confirmed.confirmed) == (Slot.B, None, True)
    assert confirmed.report is not None
    assert (confirmed.report.result, confirmed.report.version) == ("installed", "0.2.0")
    assert confirmed.report.from_version == "0.1.0"
    again = decide(boot.reported(confirmed), both)
    assert (again.kind, again.slot) == (BootKind.NORMAL, Slot.B)
    # The next update goes to the other slot: the one that ran before.
    assert boot.erase(again.control).a is None and boot.erase(again.control).b == NEW


def test_no_second_update_while_one_is_on_trial_and_bad_records_are_refused_D_OTA_AB() -> None:
    staged = boot.stage(BootControl(a=OLD), NEW, request_id="fw-1")
    with pytest.raises(BootError):
        boot.stage(staged, NEW, request_id="fw-2")
    with pytest.raises(BootError):
        boot.erase(staged)  # never overwrite the slot on trial, nor the active one
    with pytest.raises(BootError):
        boot.confirm(BootControl(a=OLD))
    with pytest.raises(BootError):
        BootControl(tries_left=-1)
    with pytest.raises(BootError):
        SlotImage("0.1.0", "short", 1)


def test_module_examples_run_D_OTA_BOOT() -> None:
    assert doctest.testmod(boot).failed == 0


def test_the_docs_show_the_table_the_code_runs_D_OTA_BOOT() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "firmware-updates.md"
    assert boot.diagram() in docs.read_text("utf-8")
