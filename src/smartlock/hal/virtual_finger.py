"""The virtual lock's fingerprint sensor: the simulated module behind the real driver.

A person (the panel's pad, the console's `finger N`) touches the glass with one of
ten virtual fingers; the driver (`ModuleFingerprint`, i.e. `adafruit_fingerprint`)
reads it over the simulated serial line exactly as it would on a Pi.
"""

from __future__ import annotations

from pathlib import Path

from smartlock.hal.feed import ChangeFeed
from smartlock.hal.finger_sim import FINGERS, SimulatedModule
from smartlock.hal.fingerprint import ModuleFingerprint

FINGER_NAMES = (
    *("left little finger", "left ring finger", "left middle finger", "left index finger"),
    *("left thumb", "right thumb", "right index finger", "right middle finger"),
    *("right ring finger", "right little finger"),
)


class VirtualFingerprint(ModuleFingerprint):
    """The driver over a `SimulatedModule`; `touch(finger)` is one press and lift."""

    def __init__(self, feed: ChangeFeed, flash: Path | None = None) -> None:
        self.module = SimulatedModule(flash=flash)
        super().__init__(self.module.uart())
        self._feed = feed

    def touch(self, finger: int, *, smudged: bool = False) -> None:
        """Press finger `finger` (0-9) on the glass, then lift it."""
        if not 0 <= finger < FINGERS:
            raise ValueError(f"a virtual finger is 0-{FINGERS - 1}, got {finger}")
        self.module.smudged = smudged
        self.module.place(finger)
        self._feed.publish("fingerprint", f"{FINGER_NAMES[finger]} ({finger}) on the sensor")
        self.poll_now()
        self.module.lift()
        self.module.smudged = False
        self.poll_now()

    def describe(self) -> str:
        """For a status screen: how many templates the module holds (never which)."""
        held = f"templates in the module: {len(self.module.library)}"
        return held if self.module.answering else f"{held} (sensor silent)"

    def set_answering(self, answering: bool) -> None:
        """Cut (False) or restore the module's serial line."""
        self.module.answering = answering
        self._feed.publish("fingerprint", "sensor answering" if answering else "sensor silent")
