"""The journal's way to the cloud (D-LOG): unacknowledged events oldest first, one
batch in flight, sent again with backoff and jitter until the cloud's signed ack comes
back. The lock's store forgets nothing before that ack.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

from smartlock.link.connection import MqttClient
from smartlock.link.lock_side import LockSide
from smartlock.link.options import LinkOptions
from smartlock.link.schemas import MAX_PAYLOAD, Ack, EventBatch
from smartlock.link.signing import sign_message

log = logging.getLogger(__name__)


class EventSync:
    """Sends the journal over the session it is handed; `on_ack` moves it on."""

    def __init__(
        self,
        lock: LockSide,
        lock_id: str,
        key: str,
        options: LinkOptions,
        *,
        monotonic: Callable[[], float],
        rng: random.Random,
        wake: Callable[[], None],
    ) -> None:
        self.lock = lock
        self.lock_id = lock_id
        self.options = options
        self.inflight: int | None = None  # the last seq of the batch in flight
        self.deadline = 0.0  # when the batch in flight is sent again
        self.resends = 0  # of the batch in flight
        self._key = key
        self._monotonic = monotonic
        self._rng = rng
        self._wake = wake

    def restart(self) -> None:
        """A new session: what was in flight goes out again at once."""
        self.inflight = None

    def wait_s(self, poll_s: float) -> float:
        """How long the send loop may sleep before a resend is due."""
        if self.inflight is None:
            return poll_s
        return max(0.01, min(poll_s, self.deadline - self._monotonic()))

    def resend_delay(self, attempt: int) -> float:
        """How long to wait for the ack of a batch sent for the (attempt+1)-th time."""
        opts = self.options
        base = min(opts.ack_timeout_max_s, opts.ack_timeout_s * 2.0 ** min(attempt, 30))
        return base * self._rng.uniform(1.0 - opts.resend_jitter, 1.0 + opts.resend_jitter)

    async def send_if_due(self, client: MqttClient) -> EventBatch | None:
        """Send the oldest unacknowledged events unless a batch waits for its ack;
        the batch sent, or None.
        """
        now = self._monotonic()
        if self.inflight is not None and now < self.deadline:
            return None
        events = list(self.lock.unacked_events(self.options.batch_size))
        if not events:
            self.inflight = None
            return None
        resending = self.inflight is not None and events[0].seq <= self.inflight
        acked = self.lock.acked_through()
        while True:  # shrink the batch until it fits the payload limit
            batch = EventBatch(acked_through=acked, events=events)
            name, payload = sign_message(self._key, self.lock_id, batch)
            if len(payload) <= MAX_PAYLOAD or len(events) == 1:
                break
            events = events[: len(events) // 2]
        await client.publish(name, payload, qos=1)
        self.resends = self.resends + 1 if resending else 0
        self.inflight = events[-1].seq
        self.deadline = now + self.resend_delay(self.resends)
        return batch

    def on_ack(self, ack: Ack) -> None:
        """The cloud stored everything up to `ack.up_to_seq`: forget it, send on."""
        if ack.up_to_seq <= self.lock.acked_through():
            return
        if self.inflight is None or ack.up_to_seq > self.inflight:
            log.warning("link %s: ack %d beyond what was sent", self.lock_id, ack.up_to_seq)
            return
        self.lock.ack(ack.up_to_seq)
        self.inflight = None  # progress: send the next batch right away
        self._wake()
