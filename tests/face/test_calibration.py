"""How sensitivities are picked from a grid of rules (D-FACE-SENS, issue 3 targets)."""

from __future__ import annotations

from smartlock.face.calibration import DecisionRule, rule_for, search_rules
from smartlock.vocab import Sensitivity


def _rates(rule: DecisionRule) -> tuple[float, float]:
    """A made-up but monotone trade-off: looser threshold → more FAR, less FRR."""
    t = rule.threshold
    return 10 ** (-8 + 20 * (t - 0.2)), max(0.0, 0.5 - 1.2 * t)


THRESHOLDS = [round(0.2 + 0.01 * i, 2) for i in range(30)]


def test_medium_and_high_take_the_lowest_frr_within_their_far_target() -> None:
    rules = search_rules(_rates, THRESHOLDS, [0.0])
    for sens, max_far in ((Sensitivity.MEDIUM, 1e-4), (Sensitivity.HIGH, 1e-5)):
        far, _ = _rates(rules[sens])
        assert far <= max_far
        looser = DecisionRule(round(rules[sens].threshold + 0.01, 2))
        assert _rates(looser)[0] > max_far  # one step looser would break the target


def test_low_takes_the_lowest_far_with_at_most_one_percent_frr() -> None:
    low = search_rules(_rates, THRESHOLDS, [0.0])[Sensitivity.LOW]
    assert _rates(low)[1] <= 0.01
    tighter = DecisionRule(round(low.threshold - 0.01, 2))
    assert _rates(tighter)[1] > 0.01  # one step tighter would miss 1 % FRR


def test_low_never_buys_its_frr_with_more_than_one_percent_far() -> None:
    def steep(rule: DecisionRule) -> tuple[float, float]:
        t = rule.threshold  # 1 % FRR only comes at t ≈ 0.41, where FAR is ≈ 2 %
        return 10 ** (-8 + 30 * (t - 0.2)), max(0.0, 0.5 - 1.2 * t)

    low = search_rules(steep, THRESHOLDS, [0.0])[Sensitivity.LOW]
    far, frr = steep(low)
    assert far <= 0.01 and frr > 0.01


def test_threshold_tightens_as_the_gallery_grows() -> None:
    for sens in (Sensitivity.MEDIUM, Sensitivity.HIGH):
        assert rule_for(sens, 50).threshold < rule_for(sens, 20).threshold
        assert rule_for(sens, 20).threshold < rule_for(sens, 5).threshold
