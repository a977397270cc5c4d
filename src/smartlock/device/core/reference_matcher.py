"""A simple reference `FaceMatcher`: Euclidean nearest template with fixed thresholds.

For tests and the virtual lock; the face engine supplies the calibrated one
(`smartlock.face.matching`). Thresholds: low 0.6, medium 0.5, high 0.4 (D-FACE-SENS).
"""

from __future__ import annotations

import math

from smartlock.device.core.ports import Embedding, FaceMatch, FaceTemplate, Templates
from smartlock.vocab import Sensitivity

THRESHOLDS = {Sensitivity.LOW: 0.6, Sensitivity.MEDIUM: 0.5, Sensitivity.HIGH: 0.4}
DUPLICATE_THRESHOLD = THRESHOLDS[Sensitivity.MEDIUM]


class EuclideanMatcher:
    """Nearest template by Euclidean distance; a match only within the threshold."""

    def identify(
        self, embedding: Embedding, templates: Templates, sensitivity: Sensitivity
    ) -> FaceMatch | None:
        best = self._nearest(embedding, templates)
        if best is None or best[0] > THRESHOLDS[sensitivity]:
            return None
        distance, template = best
        return FaceMatch(template.user_no, distance, template.duress)

    def duplicate_of(self, embedding: Embedding, templates: Templates) -> int | None:
        best = self._nearest(embedding, templates)
        return None if best is None or best[0] > DUPLICATE_THRESHOLD else best[1].user_no

    @staticmethod
    def _nearest(embedding: Embedding, templates: Templates) -> tuple[float, FaceTemplate] | None:
        best: tuple[float, FaceTemplate] | None = None
        for template in templates:
            if len(template.embedding) != len(embedding):
                continue
            distance = math.dist(embedding, template.embedding)
            if best is None or distance < best[0]:
                best = (distance, template)
        return best
