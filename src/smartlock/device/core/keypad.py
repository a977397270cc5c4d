"""The keypad entry buffer (D-KEY-PIN): digits until `#`, `*` clears, 10 s idle discards."""

from __future__ import annotations

from dataclasses import dataclass

from smartlock.credentials import VIRTUAL_MAX

IDLE_S = 10.0
MAX_DIGITS = VIRTUAL_MAX  # D-KEY-VIRTUAL: longest entry accepted


@dataclass(slots=True)
class KeypadBuffer:
    digits: str = ""
    last_at: float = 0.0
    overflow: bool = False  # more than 20 digits typed: the entry cannot be valid

    def add(self, digit: str, now: float) -> None:
        if len(self.digits) >= MAX_DIGITS:
            self.overflow = True
        else:
            self.digits += digit
        self.last_at = now

    def take(self) -> tuple[str, bool]:
        """The entry and whether it overflowed; the buffer is then empty."""
        entry = (self.digits, self.overflow)
        self.clear()
        return entry

    def clear(self) -> None:
        self.digits, self.overflow = "", False

    def idle_expired(self, now: float) -> bool:
        return bool(self.digits or self.overflow) and now - self.last_at >= IDLE_S
