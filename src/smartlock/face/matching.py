"""The lock's face decision: 1:N identification over the whole gallery.

A probe is compared with every template of every resident; each user's distance
blends their nearest template with their centroid (the mean of their templates). The
best user is accepted only when that distance is under the sensitivity's threshold
*and* clearly better than the runner-up user (the margin): a face that sits between
two residents is nobody's. The same vectorised ranking (`rank_users`) is what the
bench measures, so the numbers are this code's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smartlock.device.core.ports import Embedding, FaceMatch, FaceTemplate, Templates
from smartlock.face.calibration import CENTROID_WEIGHT, DUPLICATE_RULE, DecisionRule, rule_for
from smartlock.vocab import Sensitivity

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Ranking:
    """Per probe: the best user's index, its distance, and the runner-up's distance."""

    best: NDArray[np.intp]
    d1: NDArray[np.float64]
    d2: NDArray[np.float64]  # +inf when the gallery has a single user

    def accepted(self, rule: DecisionRule) -> NDArray[np.bool_]:
        return (self.d1 <= rule.threshold) & (self.d2 - self.d1 >= rule.margin)


@dataclass(frozen=True, slots=True)
class Gallery:
    """Templates as a matrix, each row's user index, and each user's centroid."""

    vectors: NDArray[np.float64]  # T×128
    owners: NDArray[np.intp]  # T, user index 0..U-1
    centroids: NDArray[np.float64]  # U×128, mean of the user's templates
    normalised: bool  # rows scaled to unit length (probes must be too)

    @classmethod
    def build(
        cls, vectors: NDArray[np.floating], owners: NDArray[np.intp], *, normalise: bool = True
    ) -> Gallery:
        """Index templates; `normalise` scales each to unit length first.

        dlib's embeddings vary in length (about 1.27-1.60) with image conditions rather
        than identity; comparing directions only cut FAR about 2x at equal FRR on LFW.
        """
        import numpy as np

        vectors = np.asarray(vectors, dtype=np.float64).reshape(-1, 128)
        if normalise:
            vectors = unit_rows(vectors)
        owners = np.asarray(owners, dtype=np.intp)
        users = int(owners.max()) + 1 if len(owners) else 0
        centroids = np.full((users, vectors.shape[1]), np.inf)
        for u in range(users):
            mine = vectors[owners == u]
            if len(mine):
                centroids[u] = mine.mean(axis=0)
        return cls(vectors=vectors, owners=owners, centroids=centroids, normalised=normalise)


def unit_rows(x: NDArray[np.floating]) -> NDArray[np.float64]:
    """Each row scaled to unit length (zero rows stay zero)."""
    import numpy as np

    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.asarray(x / np.where(norms > 0, norms, 1.0), dtype=np.float64)


def rank_users(
    probes: NDArray[np.floating],
    gallery: Gallery,
    centroid_weight: float = CENTROID_WEIGHT,
) -> Ranking:
    """Rank the gallery's users for each probe (N×128).

    A user's distance blends the nearest template with the distance to the user's
    centroid: a stranger who happens to resemble one photo is still far from the
    average of all of a resident's photos, which cuts false accepts at no cost in time.
    Build the gallery and the probes with the same `normalise` choice.
    """
    import numpy as np

    probes = np.atleast_2d(np.asarray(probes, dtype=np.float64))
    if gallery.normalised:
        probes = unit_rows(probes)
    n, users = probes.shape[0], len(gallery.centroids)
    if users == 0:
        inf = np.full(n, np.inf)
        return Ranking(best=np.full(n, -1, dtype=np.intp), d1=inf, d2=inf.copy())
    nearest = np.full((n, users), np.inf)
    dist = _distances(probes, gallery.vectors)
    for u in range(users):
        cols = gallery.owners == u
        if cols.any():
            nearest[:, u] = dist[:, cols].min(axis=1)
    per_user = nearest
    if centroid_weight > 0:
        finite = np.isfinite(gallery.centroids).all(axis=1)
        central = np.full((n, users), np.inf)
        central[:, finite] = _distances(probes, gallery.centroids[finite])
        per_user = (1.0 - centroid_weight) * nearest + centroid_weight * central
    order = np.argsort(per_user, axis=1)
    rows = np.arange(n)
    best = order[:, 0]
    d1 = per_user[rows, best]
    d2 = per_user[rows, order[:, 1]] if users > 1 else np.full(n, np.inf)
    return Ranking(best=best.astype(np.intp), d1=d1, d2=d2)


def _distances(a: NDArray[np.floating], b: NDArray[np.floating]) -> NDArray[np.float64]:
    """Euclidean distances (|a|×|b|) via the dot-product identity: one matrix product."""
    import numpy as np

    sq = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0))  # type: ignore[no-any-return]


class GalleryMatcher:
    """`FaceMatcher` (smartlock.device.core.ports) with calibrated thresholds and a margin.

    By default the rule depends on the number of enrolled users (`rule_for`), so a
    sensitivity keeps its false-accept rate whether 2 or 50 people are enrolled.

    The gallery matrix is rebuilt only when the caller passes a different template
    sequence, so a watch window's frames cost one matrix product each.
    """

    def __init__(
        self,
        rules: dict[Sensitivity, DecisionRule] | None = None,
        duplicate_rule: DecisionRule = DUPLICATE_RULE,
    ) -> None:
        self.rules = dict(rules) if rules else None  # None: calibrated, by gallery size
        self.duplicate_rule = duplicate_rule
        self._key: tuple[FaceTemplate, ...] | None = None
        self._gallery: tuple[Gallery, list[int]] | None = None

    def identify(
        self, embedding: Embedding, templates: Templates, sensitivity: Sensitivity
    ) -> FaceMatch | None:
        """The resident this face is, or None (unknown, ambiguous or no gallery)."""
        sensitivity = Sensitivity(sensitivity)
        if self.rules is not None:
            rule = self.rules[sensitivity]
        else:
            rule = rule_for(sensitivity, len({t.user_no for t in templates}))
        return self._decide(embedding, templates, rule)

    def duplicate_of(self, embedding: Embedding, templates: Templates) -> int | None:
        """The user who already owns this face (D-USER-5), using the loosest rule.

        Loose on purpose: refusing a look-alike's enrolment is a small nuisance, while
        one face enrolled under two users would make the unlock records lie.
        """
        import numpy as np

        if not templates:
            return None
        gallery, user_nos = self._matrix(templates)
        ranking = rank_users(np.asarray(embedding, dtype=np.float64), gallery)
        if ranking.d1[0] <= self.duplicate_rule.threshold:
            return user_nos[int(ranking.best[0])]
        return None

    def _decide(
        self, embedding: Embedding, templates: Templates, rule: DecisionRule
    ) -> FaceMatch | None:
        import numpy as np

        if not templates:
            return None
        probe = np.asarray(embedding, dtype=np.float64)
        if probe.shape != (128,) or not np.isfinite(probe).all():
            raise ValueError("a face embedding is 128 finite numbers")
        gallery, user_nos = self._matrix(templates)
        ranking = rank_users(probe, gallery)
        if not ranking.accepted(rule)[0]:
            return None
        user_no = user_nos[int(ranking.best[0])]
        # Duress is a property of the nearest template of that user (D-DURESS).
        own = [t for t in templates if t.user_no == user_no]
        nearest = min(own, key=lambda t: float(np.linalg.norm(np.asarray(t.embedding) - probe)))
        return FaceMatch(user_no=user_no, distance=float(ranking.d1[0]), duress=nearest.duress)

    def _matrix(self, templates: Templates) -> tuple[Gallery, list[int]]:
        import numpy as np

        key = tuple(templates)
        if self._gallery is None or key != self._key:
            user_nos = sorted({t.user_no for t in templates})
            index = {u: i for i, u in enumerate(user_nos)}
            gallery = Gallery.build(
                np.asarray([t.embedding for t in templates], dtype=np.float64),
                np.asarray([index[t.user_no] for t in templates], dtype=np.intp),
            )
            self._key, self._gallery = key, (gallery, user_nos)
        return self._gallery
