"""Issue 13, finding 4 (SSRF): notification channels and scene webhooks reach only
public addresses, checked after name resolution and on every redirect, for every
apprise scheme that connects; an operator allow-list opens a home network; results
say only delivered / not delivered.

The "inside" here is 127.0.0.2 (Linux routes all of 127/8 to loopback): a listener
there counts every connection or datagram that reaches it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from smartlock.cloud import crud, netguard
from smartlock.cloud.core.config import Settings
from smartlock.cloud.crud import notifications as ncrud
from smartlock.cloud.notify import deliver
from smartlock.cloud.services import Services

from .helpers import API, pair
from .receiver import receiver
from .test_scenes import runs, scene, work

INSIDE = "127.0.0.2"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """The shipped default: no allow-list."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


class Listener:
    """TCP and UDP on one port of 127.0.0.2; counts what arrives."""

    def __init__(self) -> None:
        self.tcp = socket.create_server((INSIDE, 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((INSIDE, self.port))
        self.udp.settimeout(0.2)
        self.tcp.settimeout(0.2)
        self.hits = 0
        self.stop = threading.Event()
        threading.Thread(target=self._tcp, daemon=True).start()
        threading.Thread(target=self._udp, daemon=True).start()

    def _tcp(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                continue
            self.hits += 1
            conn.settimeout(0.5)
            try:  # answer like a failing web server, so HTTP clients finish fast
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 500 x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            conn.close()

    def _udp(self) -> None:
        while not self.stop.is_set():
            try:
                self.udp.recv(65536)
            except OSError:
                continue
            self.hits += 1

    def close(self) -> None:
        self.stop.set()
        self.tcp.close()
        self.udp.close()


@pytest.fixture
def inside() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


LOOPBACK_FORMS = [
    "127.0.0.1",
    "localhost",
    "[::1]",
    "0x7f000001",
    "2130706433",
    "127.1",
    "[::ffff:127.0.0.1]",
    "0.0.0.0",
    "169.254.169.254",
    "10.1.2.3",
    "192.168.1.10",
    "172.16.0.1",
    "100.64.0.1",
    "224.0.0.1",
    "[fe80::1]",
    "[fd00::1]",
]


def test_channels_to_internal_addresses_are_refused_issue13_finding4(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    p = pair(client, services, tmp_path)
    codes: list[str] = []
    with receiver() as rec:
        for host in LOOPBACK_FORMS:
            for scheme in ("json", "jsons", "xml", "form"):
                url = f"{scheme}://{host}:{rec.port}/hook"
                r = client.post(f"{API}/notifications/channels", json={"url": url}, headers=p.owner)
                assert r.status_code == 422, (url, r.text)
                # apprise itself rejects a few odd forms (127.1); the rest are ours
                assert r.json()["code"] in ("internal_address", "bad_channel_url"), url
                codes.append(r.json()["code"])
        assert rec.received == []
    assert codes.count("internal_address") >= len(codes) - 8  # two forms x four schemes
    assert client.get(f"{API}/notifications/channels", headers=p.owner).json()["count"] == 0


SCHEMES = [
    "json://{h}:{p}/hook",
    "xml://{h}:{p}/hook",
    "form://{h}:{p}/hook",
    "jsons://{h}:{p}/hook",
    "mailto://user:pw@{h}:{p}?to=a@example.org&from=b@example.org",
    "rsyslog://{h}:{p}",
    "ntfy://{h}:{p}/topic",
    "gotify://{h}:{p}/abcdefghijklmno",
]


def test_every_apprise_scheme_is_guarded_at_connect_time_issue13_finding4(
    inside: Listener,
) -> None:
    """What check_url cannot see (a name resolving inside later, a stored channel):
    the guard judges the address each socket actually connects or sends to."""
    for form in SCHEMES:
        url = form.format(h=INSIDE, p=inside.port)
        assert deliver._send(url, "t", "b", False) is not None, url
    assert inside.hits == 0
    # The same sends reach it once an operator allows it: the guard is what stopped them.
    for form in SCHEMES[:2]:
        deliver._send(form.format(h=INSIDE, p=inside.port), "t", "b", False, f"{INSIDE}/32")
    assert inside.hits >= 2


def test_redirects_to_internal_addresses_are_not_followed_issue13_finding4(
    inside: Listener,
) -> None:
    """An allowed (here: allow-listed) server redirecting to an internal one."""

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(307)
            self.send_header("Location", f"http://{INSIDE}:{inside.port}/inside")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"json://127.0.0.1:{server.server_address[1]}/hook"
        assert deliver._send(url, "t", "b", False, "127.0.0.1/32") is not None
        assert inside.hits == 0
    finally:
        server.shutdown()
        server.server_close()


def test_scene_webhook_says_only_not_delivered_issue13_finding4(
    client: TestClient, services: Services, tmp_path: Path, inside: Listener
) -> None:
    """An open internal port and a closed one look the same in the run history."""
    p = pair(client, services, tmp_path)
    closed = socket.create_server((INSIDE, 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    scene(
        p,
        trigger={"type": "doorbell"},
        actions=[
            {"type": "webhook", "url": f"http://{INSIDE}:{inside.port}/x"},
            {"type": "webhook", "url": f"http://{INSIDE}:{closed_port}/x"},
            {"type": "webhook", "url": "http://2130706433/x"},
        ],
    )
    p.sim.ring()
    p.link.sync()
    work(services)
    (run,) = runs(p)
    assert (
        run["results"]
        == [{"action": "webhook", "ok": False, "error": "webhook: not delivered"}] * 3
    )
    assert inside.hits == 0


def test_channel_test_button_reports_only_delivered_false_issue13_finding4(
    client: TestClient, services: Services, tmp_path: Path, inside: Listener
) -> None:
    """A channel saved while its name pointed outside, tested once it points inside."""
    p = pair(client, services, tmp_path)
    with services.sessionmaker() as session:
        owner = crud.get_account_by_email(session, email="ann@example.org")
        assert owner is not None
        url = f"json://{INSIDE}:{inside.port}/hook"
        row = ncrud.add_channel(
            session,
            account_id=owner.id,
            label="",
            url_sealed=deliver.seal_url(services, owner.id, url),
            url_hint="json://x/…",
        )
        cid = row.id
    r = client.post(f"{API}/notifications/channels/{cid}/test", headers=p.owner)
    assert r.status_code == 200 and r.json() == {"delivered": False}
    assert inside.hits == 0


def test_allow_list_parses_networks_and_refuses_the_rest_issue13_finding4() -> None:
    home = netguard.parse_allow("192.168.1.0/24, 10.0.0.5")
    assert netguard.allowed("192.168.1.20", home) and netguard.allowed("10.0.0.5", home)
    assert not netguard.allowed("192.168.2.1", home) and not netguard.allowed("127.0.0.1", home)
    assert netguard.allowed("93.184.216.34") and netguard.allowed("2606:4700::1")
    for ip in ("::ffff:10.0.0.1", "2002:7f00:1::1", "::", "ff02::1", "2001:db8::1"):
        assert not netguard.allowed(ip), ip
    with pytest.raises(ValueError):
        netguard.parse_allow("not-a-network")
