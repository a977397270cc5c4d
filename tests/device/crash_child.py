"""Child process for the kill -9 test: loops doing lock operations on one store and
prints the last committed journal seq after every committed `handle()`."""

from __future__ import annotations

import random
import sys

from smartlock.device.core.inputs import Boot, KeyPress, RemoteAction, RemoteCommand, Tick
from smartlock.device.durable import open_lock


def main(path: str, seed: int) -> None:
    rnd = random.Random(seed)
    lock = open_lock(path, serial="SL-CRASH", verification_code="VC")
    now = 1_700_000_000.0 + seed * 10_000
    lock.handle(Boot(now))
    if not lock.core.state.users:
        for key in "*#123456#123456#":
            lock.handle(KeyPress(key))
    print(lock.core.state.next_seq - 1, flush=True)
    n = 0
    while True:
        n += 1
        now += 1
        roll = rnd.random()
        if roll < 0.4:
            inp: object = RemoteCommand(
                f"{seed}-{n}", RemoteAction.ADD_USER, {"user_type": "normal"}
            )
        elif roll < 0.7 and len(lock.core.state.users) > 1:
            victim = rnd.choice([u for u in lock.core.state.users if u != 1])
            inp = RemoteCommand(f"{seed}-{n}", RemoteAction.DEREGISTER_USER, {"user_no": victim})
        elif roll < 0.85:
            inp = KeyPress(rnd.choice("0123456789#"))
        else:
            inp = Tick(now)
        lock.handle(inp)  # type: ignore[arg-type]
        print(lock.core.state.next_seq - 1, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
