"""``create_app(settings)``: one FastAPI app per call, with its own engine and state."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartlock.cloud.core import security
from smartlock.cloud.core.config import Settings
from smartlock.cloud.core.crypto import KeyBox, load_master_key
from smartlock.cloud.db import make_engine, make_sessionmaker, upgrade
from smartlock.cloud.errors import ERROR_RESPONSES, error_response, install_error_handlers
from smartlock.cloud.services import Services
from smartlock.errors import ErrorCode, Fault, SmartlockError

API_PREFIX = "/api/v1"


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 before anything parses them."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        too_large = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app's answer to a cut-off body is replaced by the 413
            started = True
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if too_large and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, ErrorCode.BODY_TOO_LARGE, f"the request body is over {self.limit} bytes"
        )
        await response(scope, receive, send)


class _TooLarge(SmartlockError):
    """The body grew past the limit while it was read (the client's fault)."""

    code = ErrorCode.BODY_TOO_LARGE
    fault = Fault.CALLER


def build_services(settings: Settings) -> Services:
    """Open the database (migrating it) and the key box; no broker yet."""
    security.configure(settings)  # the argon2 profile these settings name
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    upgrade(engine)
    return Services(
        settings=settings,
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
        key_box=KeyBox(load_master_key(settings)),
    )


def create_app(
    settings: Settings | None = None,
    *,
    extra_routers: Sequence[APIRouter] = (),
    services: Services | None = None,
    with_link: bool = True,
    with_features: bool = True,
) -> FastAPI:
    """The cloud API. ``extra_routers`` are mounted as given (the HTML web app).

    With a ``broker_url`` and ``with_link``, the app runs the MQTT link worker for its
    lifetime (``smartlock cloud serve``); tests may pass ``with_link=False``.
    """
    from smartlock.cloud.api.main import api_router

    settings = settings or Settings()
    services = services or build_services(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if with_link and settings.broker_url:
                from smartlock.cloud.link_worker import run_link

                await stack.enter_async_context(run_link(services, ingest=settings.ingest))
                from smartlock.cloud.firmware_offers import run_firmware_offers

                # The offered release, to each lock too (Home Assistant's update entity).
                await stack.enter_async_context(run_firmware_offers(services))
            if with_features:
                from smartlock.cloud.features_worker import run_features

                # Outbound notifications, scenes, revocation retries (A-NOTIFY, A-SCENE).
                await stack.enter_async_context(run_features(services))
            yield
        services.engine.dispose()

    app = FastAPI(
        title="smartlock cloud",
        version="1",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.state.services = services
    install_error_handlers(app)
    app.include_router(api_router, prefix=API_PREFIX)
    for router in extra_routers:
        app.include_router(router)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


def server_config(app: Any, *, host: str, port: int, **options: Any) -> Any:
    """Uvicorn's config for the cloud: the client address is the TCP peer.

    uvicorn believes X-Forwarded-For from 127.0.0.1 by default, so on one machine any
    client could pick its own address for the sign-in throttle (issue 13). Proxies
    are trusted only through `Settings.trusted_proxies` (`api.deps.client_address`).
    """
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, proxy_headers=False, **options)
