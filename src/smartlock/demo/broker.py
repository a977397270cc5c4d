"""The demo's MQTT broker: Mosquitto (MQTT 5) when installed, else the embedded amqtt
(MQTT 3.1.1, with a warning), and in both cases logins like production.

Each demo data folder gets its own logins on the first run, kept in
`<data>/broker/credentials.json` (0600): `cloud` (the cloud's worker), `homeassistant`
(printed for Home Assistant) and `provision` (the locks' pairing identity). A paired
lock logs in with its own login, which the cloud adds to `<data>/broker/passwd` at
pairing as in production (`broker_accounts`). Mosquitto runs as a child process on
127.0.0.1 with its own config, that password file and the production ACL (each lock
only its own topics, Home Assistant only the HA ones), and re-reads the file on
SIGHUP (the cloud's `broker_reload_command`). Why Mosquitto: Home Assistant's MQTT
setup defaults to MQTT 5, and no maintained Python broker speaks it (amqtt 0.12.1
refuses v5; see docs/home-assistant.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from smartlock.link import broker_accounts
from smartlock.link.broker import EmbeddedBroker, pick_port
from smartlock.link.connection import BrokerConfig

log = logging.getLogger(__name__)

FIXED_USERS = ("cloud", "homeassistant", "provision")
START_TIMEOUT_S = 10.0
# deploy/mosquitto/acl, which production loads (tests/link/test_ha_demo_broker.py
# checks they say the same).
ACL = """\
user cloud
topic readwrite smartlock/#

user homeassistant
topic read smartlock/v1/+/availability
topic read smartlock/v1/+/ha/#
topic write smartlock/v1/+/ha/command
topic readwrite homeassistant/#

user provision

pattern readwrite smartlock/v1/%u/#
pattern write homeassistant/device/%u/config
pattern read homeassistant/status
pattern read smartlock/v1/%c/pairing/credentials
pattern write smartlock/v1/%c/pairing/hello
"""


def demo_credentials(folder: Path) -> dict[str, str]:
    """The fixed logins of this data folder, made once (0600), and each one in the
    password file (so a deleted or older file is repaired).
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "credentials.json"
    creds: dict[str, str] = {}
    if path.exists():
        loaded = json.loads(path.read_text("utf-8"))
        creds = {k: str(v) for k, v in loaded.items() if k in FIXED_USERS}
    if set(creds) != set(FIXED_USERS):
        creds = {user: creds.get(user) or secrets.token_urlsafe(18) for user in FIXED_USERS}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(creds, f, indent=1)
    passwd = folder / "passwd"
    lines = passwd.read_text("utf-8").splitlines() if passwd.exists() else []
    for user, password in creds.items():
        line = next((ln for ln in lines if ln.split(":", 1)[0] == user), None)
        if line is None or not broker_accounts.verify_line(line, password):
            broker_accounts.add_user(passwd, user, password)
    return creds


def register_login(folder: Path, username: str, password: str) -> None:
    """Make sure a paired lock's own login is in the password file (a data folder made
    before the demo broker required logins has locks the file does not know yet).
    """
    passwd = folder / "passwd"
    lines = passwd.read_text("utf-8").splitlines() if passwd.exists() else []
    line = next((ln for ln in lines if ln.split(":", 1)[0] == username), None)
    if line is None or not broker_accounts.verify_line(line, password):
        broker_accounts.add_user(passwd, username, password)


@dataclass
class DemoBroker:
    """`await start()`, then `url`, `config`, `credentials`; `await stop()`."""

    folder: Path
    host: str = "127.0.0.1"
    port: int | None = None
    prefer_mosquitto: bool = True

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.credentials: dict[str, str] = {}
        self.kind = ""  # "mosquitto" or "amqtt"
        self.warning = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._embedded: EmbeddedBroker | None = None
        self.bound_port = 0

    @property
    def password_file(self) -> Path:
        return self.folder / "passwd"

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.bound_port}"

    @property
    def mqtt5(self) -> bool:
        return self.kind == "mosquitto"

    @property
    def config(self) -> BrokerConfig:
        """How the locks reach it (each with its own login)."""
        return BrokerConfig(
            self.host, self.bound_port, mqtt5=self.mqtt5, shared_subscriptions=self.mqtt5
        )

    @property
    def reload_command(self) -> str:
        """What the cloud runs after adding a login (amqtt reads the file each time)."""
        if self._process is None:
            return ""
        return f"kill -HUP {self._process.pid}"

    async def start(self) -> None:
        self.credentials = demo_credentials(self.folder)
        binary = shutil.which("mosquitto") or next(
            (p for p in ("/usr/sbin/mosquitto",) if os.path.exists(p)), None
        )
        if self.prefer_mosquitto and binary:
            try:
                await self._start_mosquitto(binary)
                return
            except (OSError, RuntimeError) as exc:
                self.warning = f"Mosquitto did not start ({exc}); "
        elif self.prefer_mosquitto:
            self.warning = "Mosquitto is not installed; "
        else:
            self.warning = "--embedded-broker was asked for; "
        self.warning += (
            "using the embedded broker, which speaks MQTT 3.1.1 only: in Home Assistant's "
            "MQTT setup choose 'Advanced options' and MQTT protocol 3.1.1 "
            "(apt-get install mosquitto for MQTT 5)"
        )
        log.warning("demo broker: %s", self.warning)
        self._embedded = EmbeddedBroker(self.host, self.port, password_file=self.password_file)
        await self._embedded.start()
        self.kind, self.bound_port = "amqtt", self._embedded.port

    async def _start_mosquitto(self, binary: str) -> None:
        port = pick_port(self.host, self.port)
        acl = self.folder / "acl"
        acl.write_text(ACL, "utf-8")
        conf = self.folder / "mosquitto.conf"
        conf.write_text(
            "\n".join(
                [
                    "# Made by `smartlock demo` on each start; edit deploy/mosquitto instead.",
                    "per_listener_settings false",
                    # Started as root, Mosquitto would drop to `mosquitto`, who cannot
                    # read this folder's 0600 files: stay the demo's own user.
                    f"user {getpass.getuser()}",
                    "allow_anonymous false",
                    f"password_file {self.password_file}",
                    f"acl_file {acl}",
                    f"listener {port} {self.host}",
                    "persistence false",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    "",
                ]
            ),
            "utf-8",
        )
        log_file = (self.folder / "mosquitto.log").open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - our own config, no shell
            [binary, "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
        )
        log_file.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while loop.time() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"exited at start; see {self.folder / 'mosquitto.log'}")
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection(self.host, port)
                writer.close()
                self.kind, self.bound_port = "mosquitto", port
                return
            await asyncio.sleep(0.05)
        await self.stop()
        raise RuntimeError("not listening after 10 s")

    def reload(self) -> None:
        """Make Mosquitto read the password file again (SIGHUP)."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGHUP)

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                await asyncio.wait_for(asyncio.to_thread(process.wait), 5)
            except TimeoutError:
                process.kill()
                await asyncio.to_thread(process.wait)
        embedded, self._embedded = self._embedded, None
        if embedded is not None:
            await embedded.stop()
