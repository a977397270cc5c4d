"""Several frames must agree before a face unlocks (one watch window's state).

One lucky frame of a look-alike should not open the door: the runtime feeds each
usable frame's match (or None) and unlocks only when `needed` of the last `window`
usable frames name the same user and none of them names anybody else. Refused frames
(no face, blurred) are not fed, so they neither help nor break agreement.
"""

from __future__ import annotations

from collections import deque

from smartlock.device.core.ports import FaceMatch


class FrameAgreement:
    """Stateful helper for one watch window (D-FACE-WIN); `reset()` between windows."""

    def __init__(self, needed: int = 2, window: int = 3) -> None:
        if not 1 <= needed <= window:
            raise ValueError("need 1 ≤ needed ≤ window")
        self.needed = needed
        self._recent: deque[FaceMatch | None] = deque(maxlen=window)

    def add(self, match: FaceMatch | None) -> FaceMatch | None:
        """Feed one usable frame's verdict; returns the agreed match, if any."""
        self._recent.append(match)
        users = {m.user_no for m in self._recent if m is not None}
        if len(users) != 1:
            return None
        (user_no,) = users
        hits = [m for m in self._recent if m is not None and m.user_no == user_no]
        if len(hits) < self.needed:
            return None
        best = min(hits, key=lambda m: m.distance)
        self.reset()  # one unlock per agreement
        return best

    @property
    def seen_face(self) -> bool:
        """True once any usable frame was fed: a window ending now is a failed attempt."""
        return bool(self._recent)

    def reset(self) -> None:
        self._recent.clear()
