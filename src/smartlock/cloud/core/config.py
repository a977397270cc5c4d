"""Cloud configuration, read from the environment (prefix ``SMARTLOCK_``) or given in code.

There is no module-level instance: ``create_app(settings)`` receives one, so every test
and every worker process builds its own.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a cloud worker needs to know; defaults are safe for one machine."""

    model_config = SettingsConfigDict(env_prefix="SMARTLOCK_", extra="ignore")

    data_dir: Path = Field(default=Path("./smartlock-data"))
    # Empty: a SQLite file in data_dir. Otherwise any SQLAlchemy URL
    # (postgresql+psycopg://user@host/db).
    database_url: str = ""
    # Empty: run without a broker (no lock traffic; commands report "offline").
    broker_url: str = ""
    # The broker's view of the cloud (ACL username) and its shared-subscription group.
    broker_username: str = ""
    broker_password: SecretStr | None = None
    worker_group: str = "smartlock-cloud"
    # MQTT v5 shared subscriptions split lock traffic between workers; turn off for a
    # broker without them (the embedded amqtt) and run a single worker.
    shared_subscriptions: bool = True
    # Read the locks' channels in this process (``cloud worker``; ``cloud serve`` unless
    # ``--http-only``). Off: the process only sends commands and serves the app.
    ingest: bool = True
    # A name for this worker's broker session (unique per worker process: `cloud
    # worker --processes N` appends -0, -1, ...). Set, the broker keeps the session
    # (stopped or crashed alike) for worker_session_expiry_seconds and queues the
    # worker's share of the locks' messages meanwhile, so a restart loses nothing (a
    # command's answer included). Scaling down: a retired session keeps taking its
    # share until it expires; those are lost then (docs/fleet.md). Empty: fresh session.
    worker_session: str = ""
    worker_session_expiry_seconds: int = 600
    broker_mqtt5: bool = True  # amqtt speaks MQTT 3.1.1 only
    # Mosquitto password file to register each paired lock's broker user in (hashed,
    # deploy/mosquitto); the broker re-reads it on SIGHUP. Empty: not managed here.
    broker_password_file: Path | None = None
    # Run after each change to that file so the broker re-reads it, e.g.
    # "systemctl reload mosquitto" or "kill -HUP <pid>" (split like a shell, no shell).
    broker_reload_command: str = ""
    # Keep each paired lock's broker login in the database table ``broker_logins``
    # (PBKDF2-SHA512), for a broker that authenticates from SQL (EMQX: deploy/emqx).
    broker_logins_in_database: bool = False
    # 32 bytes, urlsafe base64. Empty: kept in data_dir/master.key (created 0600).
    master_key: SecretStr | None = None

    # A-OTA: the firmware vendor's Ed25519 public key ("ed25519:" + base64url, or PEM; several,
    # comma or space separated, during a key rotation). Releases are published only if their
    # signature checks with one of them. Empty: publishing refused.
    firmware_vendor_key: str = ""

    session_cookie: str = "smartlock_session"
    csrf_cookie: str = "smartlock_csrf"
    # Secure cookies by default; only the plain-http loopback demo turns it off.
    cookie_secure: bool = True
    session_days: int = 14
    token_days: int = 90
    confirm_seconds: int = 120

    max_body_bytes: int = 64 * 1024
    # Hash account passwords with argon2's cheapest parameters instead of the RFC 9106
    # "low memory" profile. Only the test suite sets it (tests/conftest.py, through the
    # environment), so hundreds of sign-ups take seconds; never set it in a deployment.
    insecure_fast_hashing_for_tests: bool = False
    min_password_length: int = 10
    # zxcvbn's score (0-4; it ships its lists of common passwords, words and names, so
    # no download): 3 means "safely unguessable", about 10^10 guesses or more.
    min_password_score: int = 3

    # Throttling of failures (sign-in per account and address / per address, pairing).
    # The account limit counts per (account, client address), so nobody can lock a
    # victim out from elsewhere; see docs/security.md.
    throttle_window_seconds: int = 900
    throttle_account_failures: int = 5
    throttle_address_failures: int = 20
    throttle_pairing_failures: int = 5
    throttle_lock_seconds: int = 900
    # The client address is the TCP peer. Only when the peer is one of these proxies
    # (comma or space separated addresses or networks) is X-Forwarded-For believed:
    # the right-most address in it that is not itself a trusted proxy.
    trusted_proxies: str = ""

    # Outbound requests users make the cloud send (notification channels, scene
    # webhooks) never reach loopback, private, link-local, multicast or unspecified
    # addresses (cloud/netguard.py) except these networks, e.g. "192.168.1.0/24" for a
    # home server (comma or space separated). Empty: the public internet only.
    outbound_allow: str = ""

    command_timeout_seconds: float = 5.0  # how long the API waits for the lock's answer
    # The lock ignores a command older than this; interactive commands live
    # command_timeout_seconds + 5 s at most (lockops.run_command).
    command_ttl_seconds: int = 30
    pairing_hello_seconds: int = 180  # D-PAIR: pairing mode lasts 3 minutes
    live_recheck_seconds: float = 15.0

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cloud.sqlite3').resolve()}"
