"""The cloud worker's CPU per event, in process: no broker, no simulator, no network.

Binds N locks in a fresh PostgreSQL database (the fleet bench's fast path), signs one
EventBatch of one event per lock per round (as the fleet bench's simulator does), and
times ``ingest.handle_batch`` on micro-batches of ``--batch`` messages, the same
messages again (redeliveries and lock resends), then ``derive.drain`` over every lock.
Prints CPU milliseconds per event for each part (process CPU time, so a busy machine
changes the wall time, not the figure). ``--profile`` prints the top of a cProfile.

    .venv/bin/python bench/ingest_cpu.py --locks 2000 --rounds 3 [--profile]
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import pstats
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet import infra
from fleet.provision import provision

from smartlock.cloud import derive, ingest
from smartlock.cloud.app import build_services
from smartlock.cloud.core.config import Settings
from smartlock.link.schemas import EventBatch
from smartlock.link.signing import sign_message
from smartlock.link.topics import Channel, topic


def cpu_ms_per(n: int, work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return (time.process_time() - started) * 1000 / max(n, 1)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--locks", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=3, help="events per lock")
    p.add_argument("--batch", type=int, default=500, help="messages per handle_batch")
    p.add_argument("--profile", choices=["cumulative", "tottime"], help="print a cProfile")
    args = p.parse_args(argv)

    db = infra.Database()
    tmp = Path(tempfile.mkdtemp(prefix="smartlock-ingest-"))
    try:
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        settings = Settings(database_url=db.url, master_key=SecretStr(key), data_dir=tmp)
        services = build_services(settings)
        fleet = provision(services, args.locks, tmp, "")
        rounds: list[list[tuple[str, bytes]]] = []
        for r in range(args.rounds):
            messages = []
            for lock in fleet.locks:
                lock.side.record()
                batch = EventBatch(acked_through=r, events=[lock.side.journal[r]])
                _, payload = sign_message(lock.key, lock.lock_id, batch)
                messages.append((topic(lock.lock_id, Channel.EVENTS), payload))
            rounds.append(messages)
        n = args.locks * args.rounds

        def run(messages: list[tuple[str, bytes]]) -> int:
            stored = 0
            for i in range(0, len(messages), args.batch):
                stored += ingest.handle_batch(services, messages[i : i + args.batch]).stored_events
            return stored

        ids = [lock.device_id for lock in fleet.locks]

        def derive_all() -> None:
            for i in range(0, len(ids), 100):
                derive.drain(services, device_ids=ids[i : i + 100])

        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        flat = [m for messages in rounds for m in messages]
        store_ms = cpu_ms_per(n, lambda: run(flat))
        again_ms = cpu_ms_per(n, lambda: run(flat))
        derive_ms = cpu_ms_per(n, derive_all)
        if profiler:
            profiler.disable()
        services.engine.dispose()
        print(f"locks {args.locks}, events {n}, batch {args.batch}")
        print(f"ingest (new events)      {store_ms:7.3f} ms CPU/event")
        print(f"ingest (redelivered)     {again_ms:7.3f} ms CPU/message")
        print(f"derive                   {derive_ms:7.3f} ms CPU/event")
        if profiler:
            pstats.Stats(profiler).sort_stats(args.profile).print_stats(45)
    finally:
        db.drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
