"""The demo's broker requires logins like production (issue 13, finding 9) and speaks
MQTT 5 when Mosquitto is installed, so Home Assistant connects with its defaults (A-HA).
"""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import aiomqtt
import pytest

from smartlock.demo.broker import ACL, DemoBroker

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


def _rules(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def test_demo_acl_is_the_production_acl() -> None:
    assert _rules(ACL) == _rules((ROOT / "deploy" / "mosquitto" / "acl").read_text())


async def _login(broker: DemoBroker, username: str | None, password: str | None) -> bool:
    protocol = aiomqtt.ProtocolVersion.V5 if broker.mqtt5 else aiomqtt.ProtocolVersion.V311
    try:
        async with asyncio.timeout(5):
            async with aiomqtt.Client(
                broker.host,
                broker.bound_port,
                username=username,
                password=password,
                protocol=protocol,
            ):
                return True
    except aiomqtt.MqttError:
        return False


@pytest.mark.parametrize("mosquitto", [True, False], ids=["mosquitto", "embedded"])
async def test_demo_broker_refuses_anonymous_and_wrong_logins_issue13_9(
    tmp_path: Path, mosquitto: bool, mosquitto_binary: str
) -> None:
    broker = DemoBroker(tmp_path / "broker", port=0, prefer_mosquitto=mosquitto)
    await broker.start()
    try:
        assert broker.kind == ("mosquitto" if mosquitto else "amqtt")
        assert broker.mqtt5 is mosquitto and (mosquitto or "3.1.1" in broker.warning)
        # Mosquitto is installed here: the fallback's warning must not say it is missing.
        assert mosquitto or broker.warning.startswith("--embedded-broker was asked for")
        creds = broker.credentials
        assert set(creds) == {"cloud", "homeassistant", "provision"}
        assert await _login(broker, "homeassistant", creds["homeassistant"])
        assert not await _login(broker, None, None)
        assert not await _login(broker, "homeassistant", "wrong")
        assert not await _login(broker, "cloud", creds["homeassistant"])
        saved = tmp_path / "broker" / "credentials.json"
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    finally:
        await broker.stop()
    again = DemoBroker(tmp_path / "broker", port=0, prefer_mosquitto=mosquitto)
    await again.start()  # the same data folder keeps the same logins
    try:
        assert again.credentials == creds
    finally:
        await again.stop()
