"""A real cloud + web app on uvicorn (127.0.0.1, free port, temp SQLite), and a way for
a test to speak as a lock: signed messages through the cloud's own ``ingest.handle``,
with live updates fed to the server's hub on its own event loop (as the worker does).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from smartlock.cloud import crud, ingest
from smartlock.cloud.app import build_services, create_app
from smartlock.cloud.core.config import Settings
from smartlock.cloud.lockops import lock_key
from smartlock.cloud.services import Services
from smartlock.cloud.wire import lock_id_of
from smartlock.link.codec import encode, parse
from smartlock.link.errors import LinkError
from smartlock.link.pairing import Label, generate_label, make_hello
from smartlock.link.schemas import Command, CommandResult, Event, EventBatch, StateReport
from smartlock.link.signing import sign_message, verify_message
from smartlock.link.topics import Channel, topic
from smartlock.vocab import BoltState, DoorState, EventKind, Method, Source
from smartlock.web import create_router

PASSWORD = "correct horse battery"
LIVE_PREFIX = "smartlock/cloud/live/"  # = cloud.link_worker.LIVE_PREFIX


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AnsweringLink:
    """The cloud's link with the lock's side played by the test: every command
    published to a lock is verified with its key and answered with a signed
    CommandResult (``ok`` unless ``refuse[action]`` names a reason), as a lock would.
    """

    connected = True

    def __init__(self, world: WebWorld) -> None:
        self.world = world
        self.commands: list[Command] = []
        self.refuse: dict[str, str] = {}

    async def publish(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> None:
        if topic.startswith(LIVE_PREFIX):  # the broker's fan-out back to every worker
            self.world.services.live.publish(topic[len(LIVE_PREFIX) :], json.loads(payload))
            return
        if not topic.endswith("/" + Channel.CMD.value):
            return  # pairing credentials, retained settings: nothing to answer
        inbound = parse(topic, payload)
        serial = lock_id_of(topic)
        key = self.world.key_of(serial)
        command = verify_message(key, inbound)
        assert isinstance(command, Command)
        self.commands.append(command)
        reason = self.refuse.get(command.action)
        result = CommandResult(request_id=command.request_id, ok=reason is None, reason=reason)
        # Answer from another thread, a moment later, as the broker would deliver it.
        threading.Timer(0.05, self._answer, (serial, result, key)).start()

    def _answer(self, serial: str, result: CommandResult, key: str) -> None:
        # The cloud may have forgotten the lock meanwhile (unbind): the worker drops it.
        with contextlib.suppress(LinkError):
            self.world.lock_says(serial, result, key=key)


class WebWorld:
    """uvicorn in a thread with its own loop; ``base`` is its URL."""

    def __init__(self, data_dir: Path) -> None:
        self.settings = Settings(
            data_dir=data_dir,
            command_timeout_seconds=1.0,
            live_recheck_seconds=0.5,
            outbound_allow="127.0.0.1/32",  # the test receivers listen on loopback
            cookie_secure=False,  # plain http on loopback, like the demo
        )
        self.services: Services = build_services(self.settings)
        self.link = AnsweringLink(self)
        self.services.link = self.link
        app = create_app(
            self.settings, services=self.services, extra_routers=[create_router()], with_link=False
        )
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=self.port,
                log_level="warning",
                timeout_graceful_shutdown=1,
            )
        )
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self._seq: dict[str, int] = {}

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())
        # Open event streams leave watcher tasks behind; end them before the loop closes.
        pending = asyncio.all_tasks(self.loop)
        for task in pending:
            task.cancel()
        self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.close()

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(5)
        self.services.engine.dispose()

    # --- the lock's side --------------------------------------------------------------

    def pairing_mode(self, label: Label | None = None) -> Label:
        """A lock in pairing mode publishes its hello (D-PAIR); returns its label."""
        label = label or generate_label()
        hello = make_hello(label, now=time.time())
        ingest.handle(self.services, topic(label.serial, Channel.PAIRING_HELLO), encode(hello))
        return label

    def key_of(self, serial: str) -> str:
        with self.services.sessionmaker() as s:
            device = crud.get_device_by_serial(s, serial=serial)
            assert device is not None
            return lock_key(self.services, device)

    def lock_says(self, serial: str, message: Any, *, key: str | None = None) -> None:
        """Deliver a signed message from the lock and push its live updates."""
        key = key or self.key_of(serial)
        outcome = ingest.handle(self.services, *sign_message(key, serial, message))
        for device_id, update in outcome.live:
            self.loop.call_soon_threadsafe(self.services.live.publish, device_id, update)

    def offline(self, serial: str) -> None:
        """The broker delivers the lock's last will (plain ``offline`` on availability)."""
        outcome = ingest.handle(self.services, topic(serial, Channel.AVAILABILITY), b"offline")
        for device_id, update in outcome.live:
            self.loop.call_soon_threadsafe(self.services.live.publish, device_id, update)

    def state(
        self,
        serial: str,
        door: DoorState,
        *,
        battery: int = 80,
        bolt: BoltState | None = None,
        modes: dict[str, bool] | None = None,
    ) -> None:
        thrown = door is DoorState.LOCKED
        self.lock_says(
            serial,
            StateReport(
                door=door,
                bolt=bolt or (BoltState.THROWN if thrown else BoltState.RETRACTED),
                modes=modes or {},  # type: ignore[arg-type]
                battery=battery,
                sent_at=time.time(),
            ),
        )

    def events(self, serial: str, *specs: dict[str, Any]) -> None:
        """Journal events, numbered on from the last ones sent (D-LOG)."""
        seq = self._seq.get(serial, 0)
        batch = []
        for spec in specs:
            seq += 1
            batch.append(Event(seq=seq, at=spec.pop("at", time.time()), **spec))
        self._seq[serial] = seq
        self.lock_says(serial, EventBatch(acked_through=0, events=batch))


def unlock(user_no: int, method: Method = Method.PASSWORD, **kw: Any) -> dict[str, Any]:
    source = {Method.FACE: Source.FACE, Method.REMOTE: Source.REMOTE}.get(method, Source.KEYPAD)
    return {"kind": EventKind.UNLOCK, "user_no": user_no, "method": method, "source": source, **kw}
