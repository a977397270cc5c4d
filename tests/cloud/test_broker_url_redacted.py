"""The cloud's logs never carry the broker password (security: logs are read widely)."""

from __future__ import annotations

from smartlock.cloud.link_worker import redacted


def test_broker_url_in_logs_has_no_password() -> None:
    shown = redacted("mqtt://cloud:s3cr3t-Passw0rd@broker.internal:1884")
    assert "s3cr3t" not in shown
    assert shown == "mqtt://cloud:***@broker.internal:1884"
    assert redacted("mqtt://127.0.0.1:1883") == "mqtt://127.0.0.1:1883"
