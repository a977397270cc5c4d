"""The broker alone, in the same run: a paho QoS 1 publisher (its own process, so it
does not share a GIL with the subscriber) to a paho QoS 1 subscriber, messages of the
size of one signed one-event EventBatch. msgs/s as the subscriber receives them.

Run as ``python -m fleet.rawrate PORT USER PASSWORD SIZE SECONDS`` for the publisher.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import mqtt

TOPIC = "fleet-bench/raw"


def publish(port: int, user: str, password: str, size: int, seconds: float) -> int:
    c = mqtt.client(f"raw-pub-{os.getpid()}", user, password)
    mqtt.connect(c, port)
    payload = b"x" * size
    window = threading.Semaphore(200)  # unacked messages queued in paho (20 in flight)
    c.on_publish = lambda *_a: window.release()
    sent, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        if not window.acquire(timeout=5):
            break
        c.publish(TOPIC, payload, qos=1)
        sent += 1
    for _ in range(200):  # the last PUBACKs
        window.acquire(timeout=5)
    mqtt.close(c)
    return sent


def measure(port: int, user: str, password: str, size: int, seconds: float) -> dict[str, float]:
    """Run the publisher for ``seconds``; the subscriber's steady receive rate."""
    times: list[float] = []
    lock = threading.Lock()

    def on_message(_c: object, _u: object, _m: object) -> None:
        with lock:
            times.append(time.monotonic())

    sub = mqtt.client(f"raw-sub-{os.getpid()}", user, password)
    sub.on_message = on_message
    mqtt.connect(sub, port)
    subscribed = threading.Event()
    sub.on_subscribe = lambda *_a: subscribed.set()
    sub.subscribe(TOPIC, qos=1)
    subscribed.wait(10)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    argv = [sys.executable, "-m", "fleet.rawrate", str(port), user, password, str(size)]
    done = subprocess.run(
        [*argv, str(seconds)], env=env, capture_output=True, text=True, timeout=seconds + 60
    )
    time.sleep(0.5)
    mqtt.close(sub)
    if done.returncode != 0:
        raise RuntimeError(f"raw publisher failed: {done.stderr[-2000:]}")
    sent = int(done.stdout.strip() or 0)
    with lock:
        got = list(times)
    # The steady part: skip the first and last 10 % of the receive span.
    if len(got) < 100:
        return {"msgs_per_s": 0.0, "sent": sent, "received": len(got)}
    lo, hi = got[len(got) // 10], got[len(got) * 9 // 10]
    rate = (len(got) * 8 // 10) / (hi - lo) if hi > lo else 0.0
    return {"msgs_per_s": rate, "sent": sent, "received": len(got)}


if __name__ == "__main__":
    port_, user_, password_, size_, seconds_ = sys.argv[1:6]
    print(publish(int(port_), user_, password_, int(size_), float(seconds_)))
