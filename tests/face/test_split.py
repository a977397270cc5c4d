"""The honest split: tuning and report halves of lfw-dev share nobody, and FAR bounds."""

from __future__ import annotations

from pathlib import Path

from smartlock.face.dataset import list_people
from smartlock.face.protocol import upper_bound
from smartlock.face.split import Half, half_of, in_half


def test_halves_are_disjoint_fixed_and_about_even(lfw: Path) -> None:
    names = list(list_people(lfw))
    tuning = {n for n in names if in_half(n, Half.TUNING)}
    report = {n for n in names if in_half(n, Half.REPORT)}
    assert not tuning & report and tuning | report == set(names)
    assert 0.45 < len(tuning) / len(names) < 0.55  # lfw-dev itself is a hash half: salted
    rich = [n for n in names if len(list((lfw / n).iterdir())) >= 7]
    assert 0.4 < sum(n in tuning for n in rich) / len(rich) < 0.6
    # Fixed: the same name always falls in the same half (no seed, no machine state).
    assert half_of("George_W_Bush") is Half.TUNING and half_of("Tony_Blair") is Half.REPORT
    assert all(in_half(n, Half.ALL) for n in names)


def test_clopper_pearson_upper_bound() -> None:
    # 0 of n: the "rule of three" (about 3/n); known values of the exact bound.
    assert abs(upper_bound(0, 60_000) - 4.99e-5) < 1e-7
    assert abs(upper_bound(5, 100_000) - 1.0513e-4) < 1e-8
    assert abs(upper_bound(10, 100) - 0.16372) < 1e-4
    assert upper_bound(3, 3) == 1.0 and upper_bound(0, 0) == 1.0
    assert upper_bound(1, 1000) > upper_bound(0, 1000) > 0.0
