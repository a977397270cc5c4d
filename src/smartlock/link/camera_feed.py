"""A-LIVE on the lock: doorbell snapshots and the live view, faces masked (D-PRIV).

The core only decides (`effects.TakeSnapshot` on a doorbell press when the
`doorbell_snapshot` setting is on); this shell part does the slow work off the
runtime's thread: one camera frame, every face in it masked and the picture scaled
down by `mask` (on a real lock `smartlock.face.snapshot.masked_snapshot`), then one
signed `Snapshot` through the link. A `live_view` command (a signed `LinkAction`)
sends one masked picture about every second until it runs out (at most
`MAX_LIVE_VIEW_S`; a new command extends it). Raw frames are never kept, sent or
logged; a picture that could not be made safe is simply not sent.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from smartlock.hal.parts import Frame
from smartlock.link.schemas import (
    MAX_LIVE_VIEW_S,
    MAX_SNAPSHOT_JPEG,
    Command,
    CommandResult,
    Snapshot,
)

log = logging.getLogger(__name__)

Kind = Literal["doorbell", "live"]
Capture = Callable[[], Frame | None]
Mask = Callable[[Frame], bytes]  # frame → JPEG with every face masked (D-PRIV)
Send = Callable[[Snapshot], Awaitable[bool]]


class CameraFeed:
    """Turns camera frames into masked `Snapshot`s and hands them to `send`.

    Use on one asyncio loop: `attach(client.publish_snapshot)` once the link is up,
    `doorbell()` when the core asks for a snapshot, `start_live(s)` for a command.
    """

    def __init__(
        self,
        capture: Capture,
        mask: Mask,
        *,
        clock: Callable[[], float] = time.time,
        live_every_s: float = 1.0,
    ) -> None:
        self._capture = capture
        self._mask = mask
        self._clock = clock
        self.live_every_s = live_every_s
        self._send: Send | None = None
        self._seq = 0
        self._live_until = 0.0  # loop time
        self._live_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._one_at_a_time = asyncio.Lock()

    def attach(self, send: Send | None) -> None:
        """Where pictures go (the link client), or None while the lock is not linked."""
        self._send = send

    @property
    def live(self) -> bool:
        """True while a live view runs."""
        return self._live_task is not None and not self._live_task.done()

    def doorbell(self) -> None:
        """Send one doorbell snapshot (in the background) if the link is attached."""
        if self._send is None:
            return  # nobody to send to: do not even look
        task = asyncio.get_running_loop().create_task(self._ring())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def start_live(self, seconds: float) -> int:
        """Start (or extend) the live view; returns the seconds granted (≤ the cap)."""
        granted = max(1, min(int(seconds), MAX_LIVE_VIEW_S))
        loop = asyncio.get_running_loop()
        self._live_until = max(self._live_until, loop.time() + granted)
        if not self.live:
            self._live_task = loop.create_task(self._run_live())
        return granted

    def stop_live(self) -> None:
        self._live_until = 0.0
        if self._live_task is not None:
            self._live_task.cancel()
            self._live_task = None

    async def close(self) -> None:
        """Stop the live view and wait for pictures in flight."""
        self.stop_live()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2)

    async def _ring(self) -> None:
        await self.take("doorbell")

    async def take(self, kind: Kind) -> Snapshot | None:
        """Capture, mask and send one picture; the `Snapshot` sent, or None."""
        send = self._send
        if send is None:
            return None
        async with self._one_at_a_time:  # masking is CPU work: never two at once
            jpeg = await asyncio.to_thread(self._masked)
        if jpeg is None:
            return None
        self._seq += 1
        snapshot = Snapshot(
            kind=kind,
            seq=self._seq,
            taken_at=self._clock(),
            jpeg_b64=base64.b64encode(jpeg).decode("ascii"),
        )
        try:
            sent = await send(snapshot)
        except Exception as exc:  # a link hiccup must not stop the live view
            log.warning("snapshot %d not sent: %s", snapshot.seq, type(exc).__name__)
            return None
        return snapshot if sent else None

    def _masked(self) -> bytes | None:
        frame = self._capture()
        if frame is None:
            return None  # no picture in front of the camera: nothing to send
        try:
            jpeg = self._mask(frame)
        except Exception as exc:  # a face that would not mask away, an odd frame
            log.warning("no snapshot: %s", type(exc).__name__)  # never the frame itself
            return None
        if not jpeg.startswith(b"\xff\xd8") or len(jpeg) > MAX_SNAPSHOT_JPEG:
            log.warning("no snapshot: the masker gave %d bytes that are not a JPEG", len(jpeg))
            return None
        return jpeg

    async def _run_live(self) -> None:
        loop = asyncio.get_running_loop()
        while loop.time() < self._live_until:
            started = loop.time()
            await self.take("live")
            pause = self.live_every_s - (loop.time() - started)
            await asyncio.sleep(max(0.0, min(pause, self._live_until - loop.time())))


def live_view(camera: CameraFeed | None, command: Command) -> CommandResult:
    """The `live_view` command: masked pictures about once a second for `seconds`
    (capped); `unknown_action` on a lock without a camera.
    """
    rid = command.request_id
    seconds = command.params.get("seconds", 30)
    if camera is None:
        return CommandResult(request_id=rid, ok=False, reason="unknown_action")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        return CommandResult(request_id=rid, ok=False, reason="bad_input")
    granted = camera.start_live(min(float(seconds), MAX_LIVE_VIEW_S))
    return CommandResult(request_id=rid, ok=True, data={"seconds": granted})
