"""Typed dependencies, so route signatures read like sentences."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from smartlock.cloud import crud
from smartlock.cloud.authz import Access, Capability, authorize
from smartlock.cloud.core.config import Settings
from smartlock.cloud.core.security import csrf_for, same
from smartlock.cloud.errors import Forbidden, NotAuthenticated
from smartlock.cloud.models import Account, AuthToken, TokenKind
from smartlock.cloud.services import Services

CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_services(request: Request) -> Services:
    services = request.app.state.services
    assert isinstance(services, Services)
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    with services.sessionmaker() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True, slots=True)
class Auth:
    """The signed-in account and the credential it used."""

    account: Account
    token: AuthToken

    @property
    def via_cookie(self) -> bool:
        return self.token.kind == TokenKind.SESSION


def get_auth(request: Request, session: SessionDep, settings: SettingsDep) -> Auth:
    """Bearer token first (API clients), else the session cookie (web app) with CSRF."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret:
            raise NotAuthenticated("use 'Authorization: Bearer <token>'", code="bad_auth_header")
        found = crud.resolve_token(session, secret=secret.strip(), kind=TokenKind.BEARER)
        if found is None:
            raise NotAuthenticated("the token is unknown or expired", code="bad_token")
        return Auth(*found)
    cookie = request.cookies.get(settings.session_cookie)
    if not cookie:
        raise NotAuthenticated("sign in first")
    found = crud.resolve_token(session, secret=cookie, kind=TokenKind.SESSION)
    if found is None:
        raise NotAuthenticated("the session has ended; sign in again", code="session_expired")
    if request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not same(sent, csrf_for(cookie)):
            raise Forbidden(f"missing or wrong {CSRF_HEADER} header", code="csrf_failed")
    return Auth(*found)


AuthDep = Annotated[Auth, Depends(get_auth)]


def get_current_user(auth: AuthDep) -> Account:
    return auth.account


CurrentUser = Annotated[Account, Depends(get_current_user)]


def get_managed_lock(device_id: str, account: CurrentUser, session: SessionDep) -> Access:
    """The lock of a manager's route (``authorize``: 404 unless shared, 403 below admin)."""
    return authorize(session, account=account, device_id=device_id, capability=Capability.MANAGE)


ManagedLock = Annotated[Access, Depends(get_managed_lock)]


def client_address(request: Request, settings: SettingsDep) -> str:
    """The address sign-in throttling counts: the TCP peer, unless the peer is a
    configured trusted proxy (issue 13: a forged X-Forwarded-For gave 25/25 tries).
    Servers run with uvicorn's proxy_headers off (`cloud.app.server_config`).
    """
    peer = request.client.host if request.client else "unknown"
    trusted = _trusted(settings.trusted_proxies)
    if not trusted or not _within(peer, trusted):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _within(hop, trusted):
            return hop
    return peer


def _trusted(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    items = text.replace(",", " ").split()
    return tuple(ipaddress.ip_network(i, strict=False) for i in items)


def _within(host: str, nets: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in nets)


ClientAddress = Annotated[str, Depends(client_address)]


__all__ = [
    "Auth",
    "AuthDep",
    "ClientAddress",
    "CurrentUser",
    "ManagedLock",
    "ServicesDep",
    "SessionDep",
    "SettingsDep",
]
