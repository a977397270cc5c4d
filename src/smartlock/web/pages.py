"""Routes of the web app: page shells under ``/app`` (A-ACCOUNT … A-SCENE).

Pages are rendered on the server (labels, forms, language) and filled by small scripts
that call the JSON API under ``/api/v1`` with the session cookie and CSRF header; live
parts use the API's server-sent events. A page that needs an account redirects to
sign-in when the session cookie is missing or no longer valid.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from smartlock.cloud import crud
from smartlock.cloud.authz import Capability, authorize
from smartlock.cloud.core.security import csrf_for, same
from smartlock.cloud.errors import CloudError
from smartlock.cloud.models import Account, Role, TokenKind
from smartlock.cloud.notify.kinds import NotifyKind
from smartlock.cloud.services import Services
from smartlock.credentials import PIN_INPUT_PATTERN
from smartlock.vocab import DoorState, EventKind, Method, Mode
from smartlock.web import activity, i18n, qr, settings_form
from smartlock.web.assets import static_response

PREFIX = "/app"
SECTIONS = ("activity", "users", "temp", "records", "shares", "settings", "scenes")
DeviceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
NextQuery = Annotated[str | None, Query(max_length=500)]
# Pages that need an account and show only their template (path under PREFIX: name).
ACCOUNT_PAGES = {
    "/": "devices",
    "/pair": "pair",
    "/notifications": "notifications",
    "/account": "account",
}
# Pages take their data from the same origin only; the JSON catalogue is not script.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_SAFE_NEXT = re.compile(r"^/app(/[A-Za-z0-9_/-]*)?(\?[A-Za-z0-9_=&%.-]*)?$")


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("smartlock.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["pin_pattern"] = PIN_INPUT_PATTERN  # the forms check the lock's rule
    return env


def _services(request: Request) -> Services:
    services = request.app.state.services
    assert isinstance(services, Services)
    return services


def _signed_in(request: Request) -> bool:
    return _account_id(request) is not None


def _account_id(request: Request) -> int | None:
    services = _services(request)
    cookie = request.cookies.get(services.settings.session_cookie)
    if not cookie:
        return None
    with services.sessionmaker() as session:
        found = crud.resolve_token(session, secret=cookie, kind=TokenKind.SESSION)
        return found[0].id if found is not None else None


def safe_next(raw: str | None) -> str:
    """Only our own pages are valid targets (no open redirect)."""
    return raw if raw and _SAFE_NEXT.match(raw) else f"{PREFIX}/"


def _render(request: Request, template: str, page: str, **context: Any) -> HTMLResponse:
    lang = i18n.pick(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    html = (
        _environment()
        .get_template(template)
        .render(
            lang=lang,
            languages=i18n.LANGUAGES,
            t=i18n.translator(lang),
            catalogue=i18n.catalogue(lang),
            page=page,
            here=quote(path, safe="/?=&"),
            device_id=context.pop("device_id", ""),
            section=context.pop("section", ""),
            **context,
        )
    )
    return HTMLResponse(html, headers=SECURITY_HEADERS)


def _to_signin(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{PREFIX}/signin?next={quote(target, safe='')}", status_code=303)


def _page(request: Request, name: str, **context: Any) -> Response:
    """A page that needs an account: sign-in first when the session is missing."""
    if not _signed_in(request):
        return _to_signin(request)
    return _render(request, f"{name}.html", name, **context)


def _page_route(name: str) -> Callable[[Request], Response]:
    """The route of a page that needs an account and nothing but its template."""

    def show(request: Request) -> Response:
        return _page(request, name)

    return show


def _guest_page(request: Request, name: str, next: str | None) -> Response:
    """Sign-in or sign-up: an account already signed in goes straight on."""
    if _signed_in(request):
        return RedirectResponse(safe_next(next), status_code=303)
    return _render(request, f"{name}.html", name, next_url=safe_next(next))


def _section_choices() -> dict[str, Any]:
    """The choices a section's forms and filters offer, drawn from the cloud's enums."""
    return {
        "groups": settings_form.groups(),
        "notify_kinds": [k.value for k in NotifyKind],
        "methods": [m.value for m in Method],
        "event_kinds": [k.value for k in EventKind],
        "modes": [m.value for m in Mode],
        "door_states": [d.value for d in DoorState],
        "roles": [r.value for r in Role if r is not Role.OWNER],
        "tz_offsets": settings_form.TZ_OFFSETS,
        "tz_names": settings_form.TZ_NAMES,
    }


def _unlocks_chart(request: Request, account_id: int, device_id: str) -> activity.Chart | None:
    """The activity page's chart, or None when the account may not view the lock."""
    lang = i18n.pick(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))
    t = i18n.translator(lang)
    with _services(request).sessionmaker() as session:
        account = session.get(Account, account_id)
        try:
            assert account is not None
            authorize(session, account=account, device_id=device_id, capability=Capability.VIEW)
        except CloudError:
            return None  # the page's script shows the API's "no such device"
        days, counts = activity.unlocks_per_day(session, device_id=device_id)
        return activity.render(
            days,
            counts,
            title=t("activity.chart_title", days=len(days)),
            method_label={m.value: t("method." + m.value) for m in Method},
            day_label=[f"{d.month}/{d.day}" for d in days],
        )


def _entry_router() -> APIRouter:
    """What an unsigned visitor may reach: redirects, assets, language, sign-in."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=303)

    @router.get(PREFIX)
    def app_root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=303)

    @router.get(PREFIX + "/static/{name:path}")
    def asset(name: str) -> Response:
        return static_response(name)

    @router.get(PREFIX + "/lang/{code}")
    def set_language(code: str, next: str | None = None) -> RedirectResponse:
        if code not in i18n.LANGUAGES:
            raise HTTPException(status_code=404)
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(
            i18n.COOKIE, code, max_age=365 * 86400, path="/", samesite="lax", httponly=True
        )
        return response

    @router.get(PREFIX + "/signin", response_model=None)
    def signin(request: Request, next: NextQuery = None) -> Response:
        return _guest_page(request, "signin", next)

    @router.get(PREFIX + "/signup", response_model=None)
    def signup(request: Request, next: NextQuery = None) -> Response:
        return _guest_page(request, "signup", next)

    @router.get(PREFIX + "/invite", response_model=None)
    def invite(request: Request) -> Response:
        """An invitation link (the token is in the fragment): open signed in or not."""
        return _render(request, "invite.html", "invite", signed_in=_signed_in(request))

    return router


def _account_router() -> APIRouter:
    """The account's own pages: its locks, pairing, notifications, profile."""
    router = APIRouter(include_in_schema=False)

    for path, name in ACCOUNT_PAGES.items():
        router.add_api_route(
            PREFIX + path, _page_route(name), methods=["GET"], response_model=None, name=name
        )

    @router.post(PREFIX + "/pair/decode", response_model=None)
    async def pair_decode(request: Request) -> Response:
        """Read the label's QR from a photo or a camera frame (the body, as a JPEG/PNG)."""
        services = _services(request)
        cookie = request.cookies.get(services.settings.session_cookie) or ""
        sent = request.headers.get("x-csrf-token") or ""
        if _account_id(request) is None or not sent or not same(sent, csrf_for(cookie)):
            raise HTTPException(status_code=403)
        photo = await request.body()
        if len(photo) > qr.MAX_PHOTO:
            raise HTTPException(status_code=413)
        text = await asyncio.to_thread(qr.decode, photo)
        return JSONResponse({"text": text}, headers={"Cache-Control": "no-store"})

    return router


def _device_router() -> APIRouter:
    """One lock's pages: status, activity, and the sections in SECTIONS."""
    router = APIRouter(include_in_schema=False)

    @router.get(PREFIX + "/devices/{device_id}", response_model=None)
    def device(request: Request, device_id: DeviceId) -> Response:
        return _page(request, "device", device_id=device_id, section="status", modes=list(Mode))

    @router.get(PREFIX + "/devices/{device_id}/activity", response_model=None)
    def activity_page(request: Request, device_id: DeviceId) -> Response:
        """The timeline (filled by script) and the server-rendered chart of unlocks."""
        account_id = _account_id(request)
        if account_id is None:
            return _to_signin(request)
        return _render(
            request,
            "activity.html",
            "activity",
            device_id=device_id,
            section="activity",
            chart=_unlocks_chart(request, account_id, device_id),
            colours=activity.COLOURS,
            other_colour=activity.OTHER,
        )

    @router.get(PREFIX + "/devices/{device_id}/{section}", response_model=None)
    def device_section(request: Request, device_id: DeviceId, section: str) -> Response:
        if section not in SECTIONS:
            raise HTTPException(status_code=404)
        return _page(request, section, device_id=device_id, section=section, **_section_choices())

    return router


def build_router() -> APIRouter:
    """Every page and asset; see docs/web.md for the map."""
    router = APIRouter(include_in_schema=False)
    for part in (_entry_router(), _account_router(), _device_router()):
        router.include_router(part)
    return router


router = build_router()
