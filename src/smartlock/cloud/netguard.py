"""Outbound-request guard: what users make the cloud send (notification channels,
scene webhooks, their tests) reaches only the public internet (issue 13, SSRF).

An account types any URL; without this guard `json://127.0.0.1:8000/panel/1/act`
or `http://[::1]:5432/` made the cloud talk to itself or to its internal network.
The check is made on the address a socket actually connects (or sends) to, after
name resolution, so every form of a loopback name (`localhost`, `0x7f000001`,
`2130706433`, `[::ffff:127.0.0.1]`), a DNS name that points inside, a DNS answer
that changes between check and use, and every redirect hop are all refused alike,
for every apprise scheme (HTTP, SMTP, XMPP, MQTT, syslog over UDP, ...). Unix
sockets are refused too.

Refused: loopback, private (RFC 1918, fc00::/7), shared (100.64/10), link-local,
multicast, unspecified, reserved and documentation addresses; IPv4 inside IPv6
(mapped, 6to4, Teredo) is judged as the IPv4 it carries. The operator's allow-list
(`Settings.outbound_allow`, e.g. "192.168.1.0/24" for a home server) is the only
way to reach such an address (docs/security.md).

Use: `with guarded(allow): <client code>`. The guard is a context variable, so it
follows the code that sends into the worker threads apprise starts (it copies the
context) and into `asyncio.to_thread`, and nothing else in the process is affected.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
from collections.abc import Iterable, Iterator
from typing import Any

from smartlock.errors import ErrorCode, Fault, SmartlockError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

__all__ = ["Refused", "allowed", "check_host", "guarded", "parse_allow"]


class Refused(SmartlockError, OSError):
    """A connection the guard does not allow (an OSError: clients treat it as a
    failed connection and report "not delivered").
    """

    code = ErrorCode.INTERNAL_ADDRESS
    fault = Fault.RULE


def parse_allow(text: str | Iterable[str]) -> tuple[Network, ...]:
    """Parse "192.168.1.0/24, 10.0.0.5" into networks; ValueError on a bad entry."""
    items = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items)


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def allowed(ip: str | Address, allow: Iterable[Network] = ()) -> bool:
    """True when a connection to `ip` may be made."""
    try:
        addr = ipaddress.ip_address(str(ip).split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_v4(addr)
        if inner is not None and not allowed(inner, allow):
            return False
    if any(addr.version == net.version and addr in net for net in allow):
        return True
    return (
        addr.is_global
        and not addr.is_multicast
        and not addr.is_unspecified
        and not addr.is_reserved
        and not addr.is_loopback
        and not addr.is_link_local
        and not addr.is_private
    )


def _resolve(host: str, port: int | None = None) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def check_host(host: str, allow: Iterable[Network] = ()) -> None:
    """Refuse a host that is, or resolves to, an address not allowed (used when a
    channel or webhook is saved, to say so at once). A name that does not resolve
    now passes: every send is checked again at connect time.
    """
    nets = tuple(allow)
    host = host.strip("[]")
    try:
        addresses = _resolve(host)
    except (socket.gaierror, UnicodeError):
        return
    bad = [a for a in addresses if not allowed(a, nets)]
    if bad:
        raise Refused(f"{host} is an internal address")


_policy_var: contextvars.ContextVar[tuple[Network, ...] | None] = contextvars.ContextVar(
    "smartlock_netguard", default=None
)
_original: dict[str, Any] = {}


def _policy() -> tuple[Network, ...] | None:
    return _policy_var.get()


def _checked(sock: socket.socket, address: Any) -> Any:
    """The address to use, or Refused. Host names are resolved here and replaced by
    the checked address, so nothing is resolved again after the check.
    """
    allow = _policy()
    if allow is None:
        return address
    family = sock.family
    if family not in (socket.AF_INET, socket.AF_INET6):
        raise Refused("only internet connections are allowed")
    host, port, *rest = address
    try:
        ipaddress.ip_address(str(host).split("%", 1)[0])
        candidates = [str(host)]
    except ValueError:
        infos = socket.getaddrinfo(host, port, family, sock.type)
        candidates = [str(info[4][0]) for info in infos]
    for candidate in candidates:
        if not allowed(candidate, allow):
            raise Refused(f"connection to {candidate} refused (internal address)")
    return (candidates[0], port, *rest)


def _install() -> None:
    if _original:
        return
    cls = socket.socket
    _original.update(connect=cls.connect, connect_ex=cls.connect_ex, sendto=cls.sendto)

    def connect(self: socket.socket, address: Any) -> None:
        _original["connect"](self, _checked(self, address))

    def connect_ex(self: socket.socket, address: Any) -> int:
        return int(_original["connect_ex"](self, _checked(self, address)))

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        if _policy() is not None:
            *flags, address = args
            args = (*flags, _checked(self, address))
        return int(_original["sendto"](self, data, *args))

    cls.connect = connect  # type: ignore[method-assign,assignment]
    cls.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    cls.sendto = sendto  # type: ignore[method-assign,assignment]


@contextlib.contextmanager
def guarded(allow: Iterable[Network] = ()) -> Iterator[None]:
    """Within this block (and what it starts with the context copied) connections go
    only to allowed addresses.
    """
    _install()
    token = _policy_var.set(tuple(allow))
    try:
        yield
    finally:
        _policy_var.reset(token)
