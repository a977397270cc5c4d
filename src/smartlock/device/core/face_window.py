"""D-FACE-WIN: when the camera may look for faces, and when a face attempt failed.

Off while the door is open and for 2 s after it closes; then it watches for the
configured window (30 s, 5-60). A keypad touch opens a window too (and is the only
way in power-save, D-BATT-LOW). A face seen in a window that ends without a match
is one failed attempt (D-LOCKOUT).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

CLOSE_BLACKOUT_S = 2.0


class WindowEnd(enum.Enum):
    MATCHED = "matched"  # a face matched: no failure
    EMPTY = "empty"  # no face, or nothing to judge
    FAILED = "failed"  # a face was seen and none matched


@dataclass(slots=True)
class FaceWindow:
    door_open: bool = False
    blocked_until: float = 0.0
    start_at: float | None = None  # a window waiting for the blackout to pass
    watching_until: float | None = None
    seen_unmatched: bool = False
    hints_given: set[str] = field(default_factory=set)

    def first_hint(self, hint: str) -> bool:
        """True the first time `hint` comes up in this window (a voice says it once)."""
        if hint in self.hints_given:
            return False
        self.hints_given.add(hint)
        return True

    @property
    def watching(self) -> bool:
        return self.watching_until is not None

    def door_opened(self) -> WindowEnd | None:
        self.door_open = True
        self.start_at = None
        return self._end(WindowEnd.EMPTY) if self.watching else None

    def hold(self) -> None:
        """No window starts on its own while the lock is locked out (D-LOCKOUT)."""
        self.start_at = None

    def shorten(self, now: float, window_s: float) -> None:
        """A shorter watch window applies to the one running now (D-FACE-WIN)."""
        if self.watching_until is not None:
            self.watching_until = min(self.watching_until, now + window_s)

    def door_closed(self, now: float, *, auto_watch: bool) -> None:
        self.door_open = False
        self.blocked_until = now + CLOSE_BLACKOUT_S
        self.start_at = self.blocked_until if auto_watch else None

    def touch(self, now: float, window_s: float) -> bool:
        """A keypad touch (or settings key): True when a window just started."""
        if self.door_open:
            return False
        if now < self.blocked_until:
            self.start_at = self.blocked_until
            return False
        started = not self.watching
        self.watching_until = now + window_s
        return started

    def saw_face(self, matched: bool) -> None:
        if not matched:
            self.seen_unmatched = True

    def matched(self) -> WindowEnd | None:
        return self._end(WindowEnd.MATCHED) if self.watching else None

    def stop(self) -> WindowEnd | None:
        """End the window now (e.g. a password unlocked): a seen face is not judged."""
        return self._end(WindowEnd.EMPTY) if self.watching else None

    def tick(self, now: float, window_s: float) -> tuple[bool, WindowEnd | None]:
        """(a window started, how a window ended) as time passes."""
        started = False
        if self.start_at is not None and now >= self.start_at and not self.door_open:
            self.start_at = None
            started = not self.watching
            self.watching_until = max(self.watching_until or 0.0, now + window_s)
        if self.watching_until is not None and now >= self.watching_until:
            return started, self._end(WindowEnd.FAILED if self.seen_unmatched else WindowEnd.EMPTY)
        return started, None

    def _end(self, how: WindowEnd) -> WindowEnd:
        self.watching_until = None
        self.seen_unmatched = False
        self.hints_given.clear()
        return how
