"""D-PAIR over MQTT, lock side: hellos out with the provisioning identity until the
cloud's sealed answer opens with the label's code (the crypto is `pairing`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from smartlock.link.codec import canonical, parse
from smartlock.link.connection import (
    BrokerConfig,
    MqttClient,
    mqtt_client,
    payload_of,
    raise_if_cancelled,
)
from smartlock.link.errors import LinkError, PairingError
from smartlock.link.pairing import Label, LockCredentials, make_hello, open_credentials
from smartlock.link.schemas import PairingCredentials, PairingHello
from smartlock.link.topics import Channel, topic

log = logging.getLogger(__name__)


class _Exchange:
    """One pairing attempt: the hellos sent so far, and the answer to one of them."""

    def __init__(
        self, label: Label, firmware: str, hello_every_s: float, clock: Callable[[], float]
    ) -> None:
        self.label = label
        self.firmware = firmware
        self.hello_every_s = hello_every_s
        self.clock = clock
        self.hellos: dict[str, PairingHello] = {}
        self.done = asyncio.Event()

    async def announce(self, client: MqttClient) -> None:
        """A fresh hello every `hello_every_s` until `done`.

        Stops on `done` as well as on cancel: a cancel that lands as a PUBACK does can
        be swallowed inside aiomqtt (see raise_if_cancelled); a loop that ignored it
        would announce forever and pair() would never return.
        """
        name = topic(self.label.serial, Channel.PAIRING_HELLO)
        while not self.done.is_set():
            raise_if_cancelled()
            hello = make_hello(self.label, self.clock(), self.firmware)
            self.hellos[hello.lock_nonce] = hello
            await client.publish(name, canonical(hello.model_dump(mode="json")), qos=1)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.hello_every_s):
                    await self.done.wait()

    async def listen(self, client: MqttClient) -> LockCredentials:
        """The credentials in the first answer that opens; others are dropped."""
        async for message in client.messages:
            try:
                box = parse(message.topic.value, payload_of(message)).message
                if not isinstance(box, PairingCredentials) or box.lock_nonce not in self.hellos:
                    raise PairingError("not an answer to our hello")
                return open_credentials(box, self.hellos[box.lock_nonce], self.label.code)
            except LinkError as exc:
                log.warning("pairing %s: dropped answer: %s", self.label.serial, exc)
        raise PairingError("connection closed during pairing")

    async def stop(self, announcer: asyncio.Task[None]) -> None:
        """End the announcer, bounded: its cancel may be swallowed mid-publish."""
        self.done.set()
        announcer.cancel()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            async with asyncio.timeout(5):
                await announcer


async def pair(
    broker: BrokerConfig,
    label: Label,
    *,
    username: str,
    password: str,
    firmware: str = "",
    window_s: float = 180.0,
    hello_every_s: float = 15.0,
    clock: Callable[[], float] = time.time,
) -> LockCredentials:
    """D-PAIR, lock side: announce hellos until the cloud's sealed answer opens.

    Connects with the provisioning identity (`username`/`password`, client id = the
    serial) and returns the lock's own credentials; PairingError when the window ends.
    """
    exchange = _Exchange(label, firmware, hello_every_s, clock)
    client = mqtt_client(broker, label.serial, username, password, None)
    async with client:
        await client.subscribe(topic(label.serial, Channel.PAIRING_CREDENTIALS), qos=1)
        announcer = asyncio.create_task(exchange.announce(client))
        try:
            async with asyncio.timeout(window_s):
                return await exchange.listen(client)
        except TimeoutError:
            raise PairingError("pairing window closed without an answer") from None
        finally:
            await exchange.stop(announcer)
