"""A worker's memory of the event batches it stored, so a lock's resent copy is
answered without a verification and a transaction (``link_worker``).
"""

from __future__ import annotations

import collections
import hashlib

from smartlock.cloud.mqtt_client import publish_nowait
from smartlock.cloud.outcome import Outcome
from smartlock.link.connection import MqttClient
from smartlock.link.topics import Channel, parse_topic


class RepeatedBatches:
    """Event batches this worker has stored, by their exact bytes, with the ack each
    lock was last sent. A lock resends a batch, byte for byte, until its ack arrives;
    in a storm the copies can outnumber the new batches, and each would cost a
    verification and a transaction to learn it is a duplicate. A copy of a stored
    batch is answered from here with the lock's latest ack instead (safe: the bytes
    passed verification before, and an ack only ever says what is committed).
    """

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        # (topic, BLAKE2b of the payload) -> lock id: a few MB for the whole capacity.
        self._stored: collections.OrderedDict[tuple[str, bytes], str] = collections.OrderedDict()
        self._acks: dict[str, tuple[str, bytes]] = {}  # lock id -> its latest ack
        self.answered = 0

    def answer(self, name: str, payload: bytes, client: MqttClient) -> bool:
        key = (name, _digest(payload))
        lock_id = self._stored.get(key)
        ack = self._acks.get(lock_id) if lock_id is not None else None
        if ack is None:
            return False
        self._stored.move_to_end(key)
        publish_nowait(client, ack[0], ack[1], qos=0)  # as the first answer (Outgoing)
        self.answered += 1
        return True

    def remember(self, messages: list[tuple[str, bytes]], outcome: Outcome) -> None:
        acks: dict[str, tuple[str, bytes]] = {}
        for out in outcome.publish:
            lock_id, channel = parse_topic(out.topic)
            if channel is Channel.ACK:
                acks[lock_id] = (out.topic, out.payload)
        if not acks:
            return
        if len(self._acks) > 4 * self.capacity:
            self._acks.clear()  # locks long gone; those still resending come back
        self._acks.update(acks)
        for name, payload in messages:
            lock_id, channel = parse_topic(name)
            if channel is Channel.EVENTS and lock_id in acks:
                self._stored[(name, _digest(payload))] = lock_id
        while len(self._stored) > self.capacity:
            self._stored.popitem(last=False)


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=16).digest()
