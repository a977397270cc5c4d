"""The lock protocol of /work/shared/faces/README.md, run over cached readings.

Residents are drawn per trial (seeds 0..19) among people with ≥ 7 images, enrolled
with 5 images each; every other image of a resident is a genuine attempt and every
image of everybody else an impostor attempt. A refused frame (quality gate, no face)
counts as a rejection: a genuine attempt the gate refuses is a false reject.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smartlock.face.calibration import CENTROID_WEIGHT, DecisionRule
from smartlock.face.dataset import QUALITY_FIELDS, BaselineCache, ReadingsCache
from smartlock.face.embed import flip_averaged
from smartlock.face.matching import Gallery, rank_users
from smartlock.face.quality import (
    ENROL_POLICY,
    UNLOCK_POLICY,
    QualityMeasure,
    QualityPolicy,
    Refusal,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MIN_IMAGES = 7
ENROL_IMAGES = 5


@dataclass(frozen=True, slots=True)
class Dataset:
    """All readings of a photo folder, one row per image."""

    people: list[str]
    person: NDArray[np.intp]  # row → index into people
    embedding: NDArray[np.float32]
    mirrored: NDArray[np.float32]
    quality: NDArray[np.float32]
    baseline: NDArray[np.float32] | None  # None: the baseline's readings are not cached

    def refusals(self, policy: QualityPolicy) -> list[Refusal | None]:
        """The policy's verdict on each row (NO_FACE for rows without a face)."""
        import numpy as np

        verdicts: list[Refusal | None] = []
        for row in self.quality:
            if np.isnan(row).any():
                verdicts.append(Refusal.NO_FACE)
                continue
            values = dict(zip(QUALITY_FIELDS, (float(v) for v in row), strict=True))
            values["faces"] = int(values["faces"])
            values["inside"] = bool(values["inside"])
            verdicts.append(policy.refusal(QualityMeasure(**values)))  # type: ignore[arg-type]
        return verdicts

    def gate(self, policy: QualityPolicy) -> NDArray[np.bool_]:
        """Which rows the policy lets through (rows without a face never pass)."""
        import numpy as np

        return np.array([v is None for v in self.refusals(policy)], dtype=bool)


def load_dataset(
    images: list[Path],
    cache: ReadingsCache,
    progress: Callable[[int], None] | None = None,
    baseline: BaselineCache | None = None,
) -> Dataset:
    """Readings of `images` (computing missing ones), grouped by their folder name.

    The baseline's readings come from `baseline` when given (computing missing ones).
    """
    import numpy as np

    people: list[str] = []
    index: dict[str, int] = {}
    rows = []
    owner = []
    for n, image in enumerate(images):
        name = image.parent.name
        if name not in index:
            index[name] = len(people)
            people.append(name)
        rows.append(cache.fetch(image))
        owner.append(index[name])
        if progress:
            progress(n + 1)
    return Dataset(
        people=people,
        person=np.asarray(owner, dtype=np.intp),
        embedding=np.stack([r.embedding for r in rows]),
        mirrored=np.stack([r.mirrored for r in rows]),
        quality=np.stack([r.quality for r in rows]),
        baseline=np.stack([baseline.fetch(i) for i in images]) if baseline else None,  # type: ignore[misc]
    )


@dataclass(frozen=True, slots=True)
class Attempts:
    """Every attempt of every trial: distances to best and runner-up user, and flags."""

    d1: NDArray[np.float64]
    d2: NDArray[np.float64]
    genuine: NDArray[np.bool_]  # else impostor
    right_user: NDArray[np.bool_]  # best user is the attempt's own resident
    usable: NDArray[np.bool_]  # passed the gate (or, for the baseline, a face found)
    two_faces: NDArray[np.bool_]  # the gate refused the photo as two people presenting

    def rates(self, rule: DecisionRule) -> tuple[float, float]:
        """(FAR, FRR) of a decision rule over these attempts."""
        accepted = self.usable & (self.d1 <= rule.threshold) & (self.d2 - self.d1 >= rule.margin)
        imp = ~self.genuine
        far = float((accepted & imp).sum() / max(1, imp.sum()))
        frr = 1.0 - float(
            (accepted & self.right_user & self.genuine).sum() / max(1, self.genuine.sum())
        )
        return far, frr

    def without(self, drop: NDArray[np.bool_]) -> Attempts:
        """The same attempts minus those flagged in `drop` (e.g. two-person photos)."""
        keep = ~drop
        return Attempts(
            self.d1[keep],
            self.d2[keep],
            self.genuine[keep],
            self.right_user[keep],
            self.usable[keep],
            self.two_faces[keep],
        )


def run_protocol(
    data: Dataset,
    *,
    residents: int = 5,
    trials: int = 20,
    baseline: bool = False,
    unlock_policy: QualityPolicy = UNLOCK_POLICY,
    enrol_policy: QualityPolicy = ENROL_POLICY,
    flip_average: bool = True,
    centroid_weight: float = CENTROID_WEIGHT,
) -> Attempts:
    """Collect the attempts of `trials` seeded trials with `residents` residents.

    Ours: gated probes, gated enrolment photos; probes and templates are the
    flip-averaged embeddings the lock uses (`embed.flip_averaged`).
    Baseline: raw HOG×1 embeddings, every enrolment photo with a face, no gate.
    """
    import numpy as np

    counts = np.bincount(data.person, minlength=len(data.people))
    eligible = np.flatnonzero(counts >= MIN_IMAGES)
    if len(eligible) < residents:
        raise ValueError(f"only {len(eligible)} people have ≥ {MIN_IMAGES} images")
    vectors = _vectors(data, baseline=baseline, flip_average=flip_average)
    has_face = np.asarray(~np.isnan(vectors).any(axis=1), dtype=bool)
    if baseline:
        probe_ok = enrol_ok = has_face
    else:
        probe_ok = data.gate(unlock_policy) & has_face
        enrol_ok = data.gate(enrol_policy) & has_face
    pair = np.array([v is Refusal.TWO_FACES for v in data.refusals(unlock_policy)], dtype=bool)
    weight = 0.0 if baseline else centroid_weight
    parts: list[tuple[NDArray[Any], ...]] = []
    for seed in range(trials):
        *found, probe_rows = _trial(
            data, vectors, eligible, enrol_ok, residents, seed, weight, normalise=not baseline
        )
        parts.append((*found, probe_ok[probe_rows], pair[probe_rows]))
    return Attempts(*(np.concatenate(col) for col in zip(*parts, strict=True)))


def _vectors(data: Dataset, *, baseline: bool, flip_average: bool) -> NDArray[Any]:
    """The embeddings a run compares: the baseline's, flip-averaged ones, or plain."""
    if baseline:
        if data.baseline is None:
            raise ValueError("the baseline's readings are not loaded")
        return data.baseline
    if flip_average:
        return flip_averaged(data.embedding, data.mirrored)
    return data.embedding


def _trial(
    data: Dataset,
    vectors: NDArray[Any],
    eligible: NDArray[Any],
    enrol_ok: NDArray[Any],
    residents: int,
    seed: int,
    weight: float,
    *,
    normalise: bool,
) -> tuple[NDArray[Any], ...]:
    """One seeded trial: `residents` people enrol, every other photo is a probe.

    Returns d1, d2, genuine, right user and the probes' rows.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    chosen = rng.choice(eligible, size=residents, replace=False)
    rows_of = {int(p): np.flatnonzero(data.person == p) for p in chosen}
    enrol_rows, genuine_rows, owners, genuine_owner = [], [], [], []
    for u, p in enumerate(chosen):
        rows = rng.permutation(rows_of[int(p)])
        picked = [r for r in rows[:ENROL_IMAGES] if enrol_ok[r]]
        enrol_rows += picked
        owners += [u] * len(picked)
        genuine_rows += list(rows[ENROL_IMAGES:])
        genuine_owner += [u] * (len(rows) - ENROL_IMAGES)
    gallery = vectors[enrol_rows]
    owner_arr = np.asarray(owners, dtype=np.intp)
    impostor_rows = np.flatnonzero(~np.isin(data.person, chosen))
    probe_rows = np.concatenate([np.asarray(genuine_rows, dtype=np.intp), impostor_rows])
    probes = np.nan_to_num(vectors[probe_rows], nan=10.0)  # faceless rows are unusable anyway
    built = Gallery.build(gallery, owner_arr, normalise=normalise)
    ranking = rank_users(probes, built, weight)
    n_gen = len(genuine_rows)
    genuine = np.arange(len(probe_rows)) < n_gen
    right = np.zeros(len(probe_rows), dtype=bool)
    right[:n_gen] = ranking.best[:n_gen] == np.asarray(genuine_owner, dtype=np.intp)
    return ranking.d1, ranking.d2, genuine, right, probe_rows


def upper_bound(accepted: int, attempts: int, confidence: float = 0.95) -> float:
    """One-sided Clopper-Pearson upper confidence bound on a rate of `accepted`/`attempts`.

    Why: 0 accepts in 60,000 impostor attempts does not show FAR 0, only FAR ≤ 5e-5
    at 95 %; the bench prints this bound beside every FAR. (The protocol's attempts
    reuse photos across trials, so they are not fully independent: read the bound as
    a floor on the uncertainty, not a guarantee.)
    """
    import math

    if attempts <= 0:
        return 1.0
    if accepted >= attempts:
        return 1.0
    alpha = 1.0 - confidence

    def cdf(p: float) -> float:  # P(X ≤ accepted) for X ~ Binomial(attempts, p)
        log_p, log_q = math.log(p), math.log1p(-p)
        lg = math.lgamma
        terms = [
            lg(attempts + 1) - lg(i + 1) - lg(attempts - i + 1) + i * log_p + (attempts - i) * log_q
            for i in range(accepted + 1)
        ]
        top = max(terms)
        return math.exp(top) * sum(math.exp(t - top) for t in terms)

    lo, hi = accepted / attempts, 1.0
    for _ in range(100):  # bisection: cdf falls as p rises
        mid = (lo + hi) / 2
        if cdf(mid) > alpha:
            lo = mid
        else:
            hi = mid
    return hi
