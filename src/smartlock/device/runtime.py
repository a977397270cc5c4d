"""The thin I/O shell around the sans-I/O lock core.

It owns the clock, turns hardware events into core inputs, plays the core's effects
on the hardware (prompts rendered in the chosen language), and hands every effect to
listeners: the link publishes `JournalEvent`s and cloud messages, a console echoes
them. The core commits each `handle()` to its store in one transaction, so a step is
either fully durable or not at all. All entry points are thread-safe (one re-entrant
lock); async callers use `asubmit` and `outbox`.

>>> clock = FastForwardClock(lambda: 1_700_000_000.0)
>>> clock.advance(30); clock()
1700000030.0
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from smartlock.device.core import effects as fx
from smartlock.device.core import inputs as ins
from smartlock.device.core.prompts import render
from smartlock.errors import LockError
from smartlock.hal.feed import Subscribers
from smartlock.hal.parts import Frame, Hardware
from smartlock.hardware import HardwareEvent
from smartlock.vocab import EventKind

log = logging.getLogger(__name__)
Listener = Callable[[fx.Effect], None]
FaceObserver = Callable[[Frame], "ins.FaceSeen | ins.NoFace | None"]
AnyInput = ins.Input
BEEP_EVERY_S = 5.0  # how often an active door-ajar / jam alarm beeps (D-AJAR)


class Core(Protocol):
    """What the runtime needs of `LockCore`."""

    def handle(self, event: AnyInput) -> list[fx.Effect]: ...


class FastForwardClock:
    """Wall-clock epoch seconds from `source`, plus whatever `advance()` added."""

    def __init__(self, source: Callable[[], float] = time.time, offset: float = 0.0) -> None:
        self._source = source
        self._offset = offset
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        """Seconds skipped so far (the console keeps it across restarts)."""
        with self._lock:
            return self._offset

    def __call__(self) -> float:
        with self._lock:
            return self._source() + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset += seconds


class LockRuntime:
    """Feeds the core, plays its effects on `hardware`, tells listeners."""

    def __init__(
        self,
        *,
        core: Core,
        hardware: Hardware,
        clock: FastForwardClock | None = None,
        lang: str = "en",
        tick_s: float = 1.0,
        observe_face: FaceObserver | None = None,
    ) -> None:
        self.core = core
        self.observe_face = observe_face
        self.hardware = hardware
        self.clock = clock or FastForwardClock()
        self.lang = lang
        self.tick_s = tick_s
        self._lock = threading.RLock()
        self._listeners = Subscribers[fx.Effect]()
        self._pending: deque[AnyInput] = deque()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._beeping: set[fx.AlarmKind] = set()
        self._last_beep = 0.0
        self._started = False
        self._running = False
        self.awake = False
        self.face_watch = False
        self.radio_on = True
        self.pairing_until: float | None = None
        self.last_status: dict[str, object] = {}
        hardware.listen(self.on_hardware)

    # -- feeding the core -------------------------------------------------------------

    def boot(self) -> list[fx.Effect]:
        """Power-up: `Boot`, then what the sensors say now (bolt, door, power)."""
        with self._lock:
            self._started = True
            hw = self.hardware
            return self._run(
                [
                    ins.Boot(self.clock()),
                    ins.BoltFeedback(hw.bolt.state),
                    ins.DoorSensor(hw.door.is_open),
                    ins.UsbPower(hw.usb.connected),
                    ins.BatteryLevel(hw.battery.level),
                    ins.FingerSensor(
                        hw.fingerprint is not None,
                        2 if hw.fingerprint is None else hw.fingerprint.presses,
                    ),
                ]
            )

    def submit(self, event: AnyInput) -> list[fx.Effect]:
        """Give the core one input (a remote command, a face observation ...)."""
        with self._lock:
            return self._run([ins.Tick(self.clock()), event])

    async def asubmit(self, event: AnyInput) -> list[fx.Effect]:
        """`submit` from asyncio code without blocking the loop on the motor."""
        return await asyncio.to_thread(self.submit, event)

    def on_hardware(self, event: HardwareEvent) -> None:
        """The hardware listener (may be called from gpiozero's threads)."""
        try:
            self.submit(event)
        except LockError as err:  # nonsense from a part, or the store failed: say so, go on
            log.error("hardware event %r not handled: %s", event, err)

    def tick(self) -> list[fx.Effect]:
        """Let the core see the time; polls sampled parts (battery) first."""
        with self._lock:
            now = self.clock()
            self.hardware.poll(now)
            done = self._run([ins.Tick(now)])
            done += self._look()
            if self._beeping and now - self._last_beep >= BEEP_EVERY_S:
                self._last_beep = now
                self.hardware.speaker.beep()
            return done

    def _look(self) -> list[fx.Effect]:
        """While the core watches for faces, show it what the camera sees (D-FACE-WIN)."""
        if not self.face_watch or self.observe_face is None:
            return []
        frame = self.hardware.camera.capture()
        seen = None if frame is None else self.observe_face(frame)
        return [] if seen is None else self._run([seen])

    def capture(self) -> Frame | None:
        """One camera frame for a snapshot (A-LIVE), or None when there is none.

        Raw frames never leave the lock: the link's `CameraFeed` masks every face in it
        before anything is sent (D-PRIV). Taken under the runtime's lock, so it never
        races the face watch for the camera.
        """
        with self._lock:
            return self.hardware.camera.capture()

    def advance(self, seconds: float) -> list[fx.Effect]:
        """Fast-forward the clock by `seconds`, ticking at every `tick_s` on the way."""
        done: list[fx.Effect] = []
        with self._lock:
            left = seconds
            while left > 0:
                step = min(self.tick_s, left)
                self.clock.advance(step)
                left -= step
                done += self.tick()
        return done

    def _run(self, first: list[AnyInput]) -> list[fx.Effect]:
        """Handle inputs in order, plus what playing their effects causes.

        A part that reports while an effect is played (the motor's bolt feedback, the
        battery it drained) is queued behind the current input, never nested in it,
        so listeners see journal events in sequence order.
        """
        self._pending.extend(first)
        if self._running:
            return []
        self._running = True
        done: list[fx.Effect] = []
        try:
            while self._pending:
                effects = self.core.handle(self._pending.popleft())
                for effect in effects:
                    self._apply(effect)
                done += effects
                for effect in effects:
                    self._tell(effect)
        except BaseException:
            self._pending.clear()  # nothing half-done is carried into the next step
            raise
        finally:
            self._running = False
        return done

    # -- playing the effects ----------------------------------------------------------

    def _apply(self, effect: fx.Effect) -> None:
        hw = self.hardware
        match effect:
            case fx.Prompt(prompt_id, args):
                hw.speaker.say(render(prompt_id, self.lang, **args))
            case fx.Display(text):
                hw.display.show(text)
            case fx.SetLed(fx.Led.ARMED, on):
                hw.armed_led.set(on)
            case fx.SetLed(fx.Led.LOW_BATTERY, on):
                hw.low_battery_led.set(on)
            case fx.SetLed(fx.Led.KEYPAD, on):
                self.awake = on
            case fx.MoveBolt(action):
                state = hw.bolt.throw() if action is fx.BoltAction.THROW else hw.bolt.retract()
                self._pending.append(ins.BoltFeedback(state))
            case fx.Alarm(fx.AlarmKind.TAMPER | fx.AlarmKind.INTRUSION as kind, on):
                self._alarm(kind, on)
                hw.speaker.siren(self._sirens_on())
            case fx.Alarm(kind, on):
                self._alarm(kind, on)
                if on:
                    hw.speaker.beep()
                    self._last_beep = self.clock()
            case fx.Chime():
                hw.speaker.chime()
            case fx.FingerCommand(op, press, slots) if hw.fingerprint is not None:
                hw.fingerprint.command(op, press, slots)  # answers through on_hardware
            case fx.TakeSnapshot():
                pass  # slow (face masking): the link's CameraFeed takes it off this thread
            case _:
                self._note(effect)

    def _note(self, effect: fx.Effect) -> None:
        """The effects that change what the runtime knows, not what the hardware does."""
        match effect:
            case fx.FaceWatch(active):
                self.face_watch = active
            case fx.Radio(on):
                self.radio_on = on
            case fx.PairingWindow(until):
                self.pairing_until = until
            case fx.StatusChanged(status):
                self.last_status = dict(status)
            case fx.JournalEvent(kind=EventKind.SETTING_CHANGED, details=details) if (
                details.get("name") == "language"
            ):
                # The app (or the menu) switched the voice language: speak it from now on.
                self.lang = str(details.get("value", self.lang))

    def _alarm(self, kind: fx.AlarmKind, on: bool) -> None:
        if on:
            self._beeping.add(kind)
        else:
            self._beeping.discard(kind)

    def _sirens_on(self) -> bool:
        return bool(self._beeping & {fx.AlarmKind.TAMPER, fx.AlarmKind.INTRUSION})

    # -- listeners (the link's outbox) ------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(effect)` for every effect, after it was committed and played.

        Called on the thread that fed the input, under the runtime's lock: keep it
        short (put it on a queue). Returns a function that removes the listener.
        """
        return self._listeners.add(listener)

    def outbox(
        self, loop: asyncio.AbstractEventLoop | None = None
    ) -> tuple[asyncio.Queue[fx.Effect], Callable[[], None]]:
        """An asyncio queue of every effect (filled thread-safely), and its remover."""
        return self._listeners.queue(loop)

    def _tell(self, effect: fx.Effect) -> None:
        for listener in self._listeners.current():
            try:
                listener(effect)
            except Exception:  # a broken listener must not stop the lock
                log.exception("listener failed on %r", effect)

    # -- real time --------------------------------------------------------------------

    def start(self) -> None:
        """Boot (once) and tick every `tick_s` of real time in a daemon thread."""
        if not self._started:
            self.boot()
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._ticker, name="lock-ticks", daemon=True)
            self._thread.start()

    def _ticker(self) -> None:
        while not self._stop.wait(self.tick_s):
            try:
                self.tick()
            except Exception:
                log.exception("tick failed")

    async def run(self, stop: asyncio.Event) -> None:
        """The asyncio alternative to `start()`: boot, then tick until `stop` is set."""
        if not self._started:
            await asyncio.to_thread(self.boot)
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), self.tick_s)
            except TimeoutError:
                await asyncio.to_thread(self.tick)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def status(self) -> dict[str, str]:
        """The shell's own view, for a status screen."""
        with self._lock:
            state = {
                "awake": "yes" if self.awake else "no",
                "face watch": "on" if self.face_watch else "off",
                "network radio": "on" if self.radio_on else "off",
                "alarms": ", ".join(sorted(self._beeping)) or "none",
            }
            if self.pairing_until is not None:
                state["pairing until"] = time.strftime(
                    "%H:%M:%S", time.localtime(self.pairing_until)
                )
            return state


__all__ = ["Core", "FastForwardClock", "LockRuntime"]
