"""Many simulated locks over a few MQTT connections (the ``fleet-sim`` login).

Each lock behaves like ``LockClient`` on the wire: one EventBatch in flight, the next
one sent when the cloud's ack for it arrives, the same batch again after 5 s, 10 s,
20 s ... (x 0.75-1.25 jitter) without one. Batches hold one event each and are signed
with the lock's key BEFORE the timed window (``presign``), so the simulator's CPU
goes to the wire, not to HMACs; acks are parsed but NOT verified (a real lock verifies
them; the cloud's signing is covered by the tests). Commands ARE verified with the
real link code (signature, expiry, nonce) and answered with a signed CommandResult.
With ``rate`` set, sending is paced to that many events per second overall.
"""

from __future__ import annotations

import collections
import json
import random
import threading
import time
from dataclasses import dataclass, field

import paho.mqtt.client as paho

from smartlock.link.codec import parse
from smartlock.link.errors import LinkError
from smartlock.link.schemas import Command, CommandResult, EventBatch
from smartlock.link.signing import CommandGuard, sign_message, verify_message
from smartlock.link.topics import Channel, topic

from . import mqtt
from .provision import FleetLock

LOCKS_PER_CONNECTION = 250  # acks waiting per connection stay under max_queued_messages


def resend_delay(attempt: int) -> float:
    """LockClient's default backoff (LinkOptions: 5 s doubling to 120 s, +-25 %)."""
    return min(120.0, 5.0 * 2.0 ** min(attempt, 30)) * random.uniform(0.75, 1.25)


@dataclass
class _Lock:
    lock: FleetLock
    conn: paho.Client
    ack_topic: str
    event_topic: str
    queue: collections.deque[tuple[int, bytes]] = field(default_factory=collections.deque)
    signed_through: int = 0
    inflight: tuple[int, bytes] | None = None
    sent_at: float = 0.0
    deadline: float = 0.0
    attempt: int = 0
    guard: CommandGuard = field(default_factory=CommandGuard)


@dataclass
class Stats:
    sent: int = 0
    acked: int = 0
    resends: int = 0
    signed_late: int = 0  # signed inside the window: the pre-signed ones ran out
    commands: int = 0
    commands_refused: int = 0
    ack_ms: list[float] = field(default_factory=list)


class Mux:
    def __init__(self, locks: list[FleetLock], port: int, user: str, password: str) -> None:
        count = max(2, -(-len(locks) // LOCKS_PER_CONNECTION))
        self.conns = [mqtt.client(f"fleet-sim-{i}", user, password) for i in range(count)]
        self.locks: dict[str, _Lock] = {}
        for i, lock in enumerate(locks):
            conn = self.conns[i % count]
            self.locks[lock.lock_id] = _Lock(
                lock,
                conn,
                topic(lock.lock_id, Channel.ACK),
                topic(lock.lock_id, Channel.EVENTS),
                signed_through=lock.side.acked,
            )
        self.stats = Stats()
        self._mutex = threading.Lock()
        self._running = False
        self._rate: float | None = None
        self._ready: collections.deque[_Lock] = collections.deque()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._opened = False
        self._port = port

    # ----- set-up ---------------------------------------------------------------------

    def open(self) -> None:
        """Connect every connection (no subscription yet: nothing arrives).

        Done before the storms open a socket per lock: paho's network loop uses
        ``select()``, which fails on a descriptor >= 1024, so the simulator's few
        connections must get theirs while they are still low.
        """
        if self._opened:
            return
        for conn in self.conns:
            conn.on_message = self._on_message
            mqtt.connect(conn, self._port)
        self._opened = True

    def connect(self) -> None:
        """Connect, subscribe each lock's ack and cmd topics, say every lock is online."""
        self.open()
        by_conn: dict[int, list[_Lock]] = collections.defaultdict(list)
        for s in self.locks.values():
            by_conn[id(s.conn)].append(s)
        for conn in self.conns:
            acks = threading.Semaphore(0)
            conn.on_subscribe = lambda *_a, acks=acks: acks.release()
            mine = by_conn[id(conn)]
            chunks = [mine[i : i + 100] for i in range(0, len(mine), 100)]
            for chunk in chunks:
                subs = [(s.ack_topic, 1) for s in chunk]
                subs += [(topic(s.lock.lock_id, Channel.CMD), 1) for s in chunk]
                conn.subscribe(subs)
            for _ in chunks:
                if not acks.acquire(timeout=30):
                    raise RuntimeError("simulator subscriptions not acknowledged")
        infos = []
        for s in self.locks.values():
            name = topic(s.lock.lock_id, Channel.AVAILABILITY)
            infos.append(s.conn.publish(name, b"online", qos=1, retain=True))
        for info in infos:
            info.wait_for_publish(30)
        for target in (self._resender, self._pacer):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def presign(self, per_lock: int) -> float:
        """Top every lock's queue up to ``per_lock`` signed batches; seconds it took."""
        started = time.perf_counter()
        for s in self.locks.values():
            while len(s.queue) < per_lock:
                s.queue.append(self._sign_next(s))
        return time.perf_counter() - started

    def _sign_next(self, s: _Lock) -> tuple[int, bytes]:
        side = s.lock.side
        seq = s.signed_through + 1
        while len(side.journal) < seq:
            side.record()
        batch = EventBatch(acked_through=seq - 1, events=[side.journal[seq - 1]])
        _, payload = sign_message(s.lock.key, s.lock.lock_id, batch)
        s.signed_through = seq
        return seq, payload

    # ----- running --------------------------------------------------------------------

    def start(self, rate: float | None = None) -> None:
        """Every idle lock starts sending; paced to ``rate`` events/s if given."""
        with self._mutex:
            self._rate = rate
            self._running = True
            self._pace_t0, self._paced = time.monotonic(), 0
            idle = [s for s in self.locks.values() if s.inflight is None]
            random.shuffle(idle)
            if rate is None:
                for s in idle:
                    self._send(s)
            else:
                self._ready.extend(idle)

    def stop_sending(self) -> None:
        with self._mutex:
            self._running = False
            self._ready.clear()

    def drain(self, timeout_s: float) -> int:
        """Wait for the batches in flight to be acked (resending); how many are left."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            left = self.in_flight()
            if not left:
                return 0
            time.sleep(0.1)
        return self.in_flight()

    def in_flight(self) -> int:
        with self._mutex:
            return sum(s.inflight is not None for s in self.locks.values())

    def _send(self, s: _Lock) -> None:
        if not s.queue:
            self.stats.signed_late += 1
            s.queue.append(self._sign_next(s))
        s.inflight = s.queue.popleft()
        s.attempt = 0
        s.sent_at = time.monotonic()
        s.deadline = s.sent_at + resend_delay(0)
        self.stats.sent += 1
        s.conn.publish(s.event_topic, s.inflight[1], qos=1)

    def _pacer(self) -> None:
        while not self._stop.wait(0.002):
            with self._mutex:
                if not self._running or self._rate is None:
                    continue
                due = int((time.monotonic() - self._pace_t0) * self._rate) - self._paced
                while due > 0 and self._ready:
                    self._send(self._ready.popleft())
                    self._paced += 1
                    due -= 1
                if due > 0:  # nobody ready: do not bank the credit
                    self._paced += due

    def _resender(self) -> None:
        while not self._stop.wait(0.5):
            now = time.monotonic()
            with self._mutex:
                for s in self.locks.values():
                    if s.inflight is not None and now >= s.deadline:
                        s.attempt += 1
                        s.deadline = now + resend_delay(s.attempt)
                        self.stats.resends += 1
                        s.conn.publish(s.event_topic, s.inflight[1], qos=1)

    # ----- from the cloud -------------------------------------------------------------

    def _on_message(self, conn: paho.Client, _u: object, message: paho.MQTTMessage) -> None:
        name = message.topic
        if name.endswith("/ack"):
            self._on_ack(name, bytes(message.payload))
        elif name.endswith("/cmd"):
            self._on_command(conn, name, bytes(message.payload))

    def _on_ack(self, name: str, payload: bytes) -> None:
        try:
            up_to = int(json.loads(payload)["body"]["up_to_seq"])
        except (ValueError, KeyError, TypeError):
            return
        s = self.locks.get(name.split("/")[2])
        if s is None:
            return
        with self._mutex:
            if s.inflight is None or up_to < s.inflight[0]:
                return  # a duplicate or an older ack
            s.lock.side.ack(s.inflight[0])
            self.stats.acked += 1
            self.stats.ack_ms.append((time.monotonic() - s.sent_at) * 1000)
            s.inflight = None
            if self._running:
                if self._rate is None:
                    self._send(s)
                else:
                    self._ready.append(s)

    def _on_command(self, conn: paho.Client, name: str, payload: bytes) -> None:
        try:
            inbound = parse(name, bytes(payload))
            s = self.locks[inbound.lock_id]
            command = verify_message(s.lock.key, inbound)
            if not isinstance(command, Command):
                return
            s.guard.check(command, time.time())
        except (LinkError, KeyError):
            self.stats.commands_refused += 1
            return
        result = CommandResult(request_id=command.request_id, ok=True)
        reply, body = sign_message(s.lock.key, s.lock.lock_id, result)
        conn.publish(reply, body, qos=1)
        self.stats.commands += 1

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        for conn in self.conns:
            mqtt.close(conn)
