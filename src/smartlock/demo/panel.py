"""The virtual lock's web panel: the lock's front, back and door in a browser.

Served under `/panel/<n>` (the demo mounts it on the cloud's HTTP server, `lock run
--panel-port` on its own). A press in the browser becomes the same call a person at
the virtual hardware makes (`VirtualLock`), so the lock cannot tell the panel from
the console. Live state goes out as server-sent events: `state` (what the parts
show), `say` (each prompt in both languages; the browser shows and speaks the one
chosen) and `sound` (chime, beep, siren). The panel shows what the hardware shows and
nothing more: no journal, so a duress unlock looks exactly like a normal one (D-DURESS).
State-changing requests must be JSON or an image, so other web pages cannot post
to them without a CORS preflight (which this server never grants).

Only the person who started the demo drives the panel (docs/security.md): each run
makes a secret `key`, printed in the panel's URL (`/panel/1?key=…`). Opening that
URL sets an HTTP-only SameSite=Strict cookie and drops the key from the address bar;
every other panel request without the cookie (or an `X-Panel-Key` header) gets 401.
So nothing that can merely reach the port (another account's notification channel,
a web page, another user on the host) can press the lock's buttons.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import secrets
import string
import warnings
from collections import deque
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from smartlock.demo.lockproc import LockProcess
from smartlock.device.core import effects as fx
from smartlock.device.core.prompts import render
from smartlock.hal.base import HardwareError
from smartlock.hal.feed import Change
from smartlock.hardware import ButtonId, Mechanism
from smartlock.web.qr import svg_data_uri

STATIC = Path(__file__).with_name("static")
ASSETS = {"panel.js": "text/javascript", "panel.css": "text/css"}
KEYS = set("0123456789*#")
PING_S = 15.0
LINK_CHECK_S = 0.5
MAX_PHOTO = 8 * 1024 * 1024
# A photo may be at most this many pixels once decoded (a small PNG can claim
# 20000x20000: refuse it before decoding instead of filling memory).
MAX_PIXELS = 40_000_000
SAID_KEPT = 12


class PanelHub:
    """Fans one lock's hardware feed and prompts out to the panel's SSE clients."""

    def __init__(self, lock: LockProcess, loop: asyncio.AbstractEventLoop) -> None:
        self.lock = lock
        self.loop = loop
        self.clients: set[asyncio.Queue[tuple[str, Any]]] = set()
        self.said: deque[dict[str, str]] = deque(maxlen=SAID_KEPT)
        lock.hardware.feed.subscribe(self._on_change)
        lock.runtime.add_listener(self._on_effect)

    def _push(self, kind: str, data: Any) -> None:
        def put() -> None:
            for queue in list(self.clients):
                queue.put_nowait((kind, data))

        self.loop.call_soon_threadsafe(put)

    def _on_change(self, change: Change) -> None:
        if change.part in ("chime", "beep", "siren"):
            self._push("sound", {"kind": change.part, "value": change.value})
        if change.part != "speaker":
            self._push("state", None)

    def _on_effect(self, effect: fx.Effect) -> None:
        if isinstance(effect, fx.Prompt):
            args = dict(effect.args)
            line = {lang: render(effect.prompt_id, lang, **args) for lang in ("en", "zh")}
            self.said.append(line)
            self._push("say", line)
        elif isinstance(effect, fx.StatusChanged | fx.SetLed | fx.FaceWatch | fx.PairingWindow):
            self._push("state", None)

    def snapshot(self) -> dict[str, Any]:
        """What a person sees on the lock (never the journal: D-DURESS)."""
        lock, hw = self.lock, self.lock.hardware
        core = lock.status()
        return {
            "name": lock.name,
            "serial": lock.serial,
            "code": lock.label.code,
            "qr": lock.label.qr_text(),
            "qr_svg": svg_data_uri(lock.label.qr_text()),  # segno; the app's pairing reads it
            "display": hw.display.text,
            "awake": lock.runtime.awake,
            "face_watch": lock.runtime.face_watch,
            "armed_led": hw.armed_led.lit,
            "low_battery_led": hw.low_battery_led.lit,
            "siren": hw.speaker.siren_on,
            "door_open": hw.door.is_open,
            "bolt": hw.bolt.state.value,
            "jam": hw.bolt.jam,
            "battery": hw.battery.level,
            "charging": hw.battery.charging,
            "usb": hw.usb.connected,
            "tamper": hw.tamper.tripped,
            "camera": hw.camera.capture() is not None,
            "pairing": bool(core.get("pairing")),
            "bound": bool(core.get("bound")),
            "link": lock.link_connected,
            "said": list(self.said),
        }


def _act(lock: LockProcess, body: dict[str, Any]) -> None:
    """One thing a person does to the lock (runs in a worker thread: the motor)."""
    hw = lock.hardware
    action = body.get("action")
    if action == "key":
        key = str(body.get("key", ""))
        if key not in KEYS:
            raise HTTPException(422, "key must be one of 0-9 * #")
        hw.keypad.type(key)
    elif action == "button":
        try:
            button = ButtonId(str(body.get("button")))
            held = float(body.get("held_s", 0.1))
        except (ValueError, TypeError):
            raise HTTPException(422, "unknown button or hold time") from None
        hw.press(button, max(0.0, min(held, 30.0)))
    elif action == "mechanism":
        try:
            hw.use_mechanism(Mechanism(str(body.get("mechanism"))))
        except ValueError:
            raise HTTPException(422, "unknown mechanism") from None
    elif action == "door":
        hw.open_door() if body.get("open") else hw.close_door()
    elif action in ("jam", "usb", "tamper"):
        on = bool(body.get("on"))
        if action == "jam":
            hw.bolt.jam = on
            hw.feed.publish("jam", "on" if on else "off")
        elif action == "usb":
            hw.usb.plug(on)
        else:
            hw.tamper.set(on)
    elif action == "finger":  # one press and lift of a virtual finger (D-FINGER-*)
        finger = body.get("finger")
        if isinstance(finger, bool) or not isinstance(finger, int) or not 0 <= finger <= 9:
            raise HTTPException(422, "finger must be 0-9")
        hw.fingerprint.touch(finger, smudged=bool(body.get("smudged")))
    elif action == "battery":
        try:
            hw.battery.set_level(float(body.get("level", -1)))
        except (ValueError, TypeError) as err:
            raise HTTPException(422, str(err)) from None
    else:
        raise HTTPException(422, f"unknown action {action!r}")


def new_panel_key() -> str:
    """A per-run panel secret (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def cookie_name(key: str) -> str:
    """Cookies ignore ports: two demos on one host get different cookie names."""
    return "smartlock_panel_" + hashlib.sha256(key.encode()).hexdigest()[:12]


class _Panel:
    """What every panel route shares: the locks, the run's key and one hub a lock."""

    def __init__(self, locks: Sequence[LockProcess], key: str) -> None:
        if len(key) < 16:
            raise ValueError("the panel key must be at least 16 characters")
        self.locks = locks
        self.key = key
        self.cookie = cookie_name(key)
        self.hubs: dict[int, PanelHub] = {}
        self.page = string.Template((STATIC / "panel.html").read_text("utf-8"))

    def require_key(self, request: Request) -> None:
        """The cookie or header must carry this run's key (see the module docstring)."""
        given = request.cookies.get(self.cookie) or request.headers.get("x-panel-key") or ""
        if not hmac.compare_digest(given.encode(), self.key.encode()):
            raise HTTPException(401, "open the panel with the link the demo printed")

    def hub(self, n: int) -> PanelHub:
        """Lock `n`'s hub, made on first use (it needs the running event loop)."""
        if not 1 <= n <= len(self.locks):
            raise HTTPException(404, "no such lock")
        if n not in self.hubs:
            self.hubs[n] = PanelHub(self.locks[n - 1], asyncio.get_running_loop())
        return self.hubs[n]

    def html(self, n: int) -> str:
        """Lock `n`'s page, with a link to every lock of the run."""
        links = " ".join(
            f'<a href="/panel/{i}"{" aria-current=page" if i == n else ""}>lock {i}</a>'
            for i in range(1, len(self.locks) + 1)
        )
        return self.page.substitute(n=n, name=self.hub(n).lock.name, links=links)


def panel_router(locks: Sequence[LockProcess], key: str) -> APIRouter:
    """Routes for `locks`, numbered from 1 as the demo prints them; `key` is the run's
    panel secret (see the module docstring): every route refuses a request without it.
    """
    panel = _Panel(locks, key)
    router = APIRouter(include_in_schema=False)
    for part in (_page_router(panel), _control_router(panel), _events_router(panel)):
        router.include_router(part)
    return router


def _page_router(panel: _Panel) -> APIRouter:
    """The pages and their assets; the printed link trades its key for a cookie."""
    router = APIRouter(prefix="/panel", include_in_schema=False)
    keyed = [Depends(panel.require_key)]

    @router.get("", dependencies=keyed)
    async def index() -> RedirectResponse:
        return RedirectResponse("/panel/1")

    @router.get("/static/{name}", dependencies=keyed)
    async def asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise HTTPException(404, "no such file")
        return FileResponse(STATIC / name, media_type=ASSETS[name])

    @router.get("/{n}", response_class=HTMLResponse)
    async def panel_page(n: int, request: Request) -> Response:
        given = request.query_params.get("key")
        if given is not None:  # the printed link: keep the key in a cookie, not the URL
            if not hmac.compare_digest(given.encode(), panel.key.encode()):
                raise HTTPException(401, "this panel link is from another run of the demo")
            moved = RedirectResponse(f"/panel/{n}", status_code=303)
            moved.set_cookie(
                panel.cookie, panel.key, path="/panel", httponly=True, samesite="strict"
            )
            return moved
        panel.require_key(request)
        return HTMLResponse(panel.html(n), headers={"Cache-Control": "no-store"})

    return router


def _control_router(panel: _Panel) -> APIRouter:
    """What a person does to a lock: its state, presses, the camera's picture."""
    router = APIRouter(
        prefix="/panel", include_in_schema=False, dependencies=[Depends(panel.require_key)]
    )

    @router.get("/{n}/state")
    async def state(n: int) -> dict[str, Any]:
        return panel.hub(n).snapshot()

    @router.post("/{n}/act")
    async def act(n: int, request: Request) -> dict[str, Any]:
        h = panel.hub(n)
        body = await _json_object(request)
        try:
            await asyncio.to_thread(_act, h.lock, body)
        except HardwareError as err:
            return {"ok": False, "message": str(err), "code": err.code}
        return {"ok": True}

    @router.post("/{n}/camera")
    async def camera(n: int, request: Request) -> dict[str, Any]:
        """A photo or a webcam frame (JPEG/PNG bytes) is what the camera now sees."""
        h = panel.hub(n)
        if not request.headers.get("content-type", "").startswith("image/"):
            raise HTTPException(415, "send an image")
        data = await request.body()
        if not data or len(data) > MAX_PHOTO:
            raise HTTPException(413, "the photo must be 1 byte to 8 MB")
        try:
            await asyncio.to_thread(_present, h.lock, data)
        except ValueError as err:
            raise HTTPException(422, f"not a picture: {err}") from None
        return {"ok": True}

    @router.delete("/{n}/camera")
    async def camera_clear(n: int) -> dict[str, Any]:
        panel.hub(n).lock.hardware.camera.clear()
        return {"ok": True}

    return router


async def _json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; JSON only, so other pages need a CORS preflight."""
    if request.headers.get("content-type", "").split(";")[0] != "application/json":
        raise HTTPException(415, "send JSON")
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(422, "send a JSON object") from None
    if not isinstance(body, dict):
        raise HTTPException(422, "send a JSON object")
    return body


def _events_router(panel: _Panel) -> APIRouter:
    """The live feed of one lock as server-sent events."""
    router = APIRouter(
        prefix="/panel", include_in_schema=False, dependencies=[Depends(panel.require_key)]
    )

    @router.get("/{n}/events")
    async def events(n: int, request: Request) -> StreamingResponse:
        h = panel.hub(n)
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        h.clients.add(queue)
        return StreamingResponse(
            _stream(h, queue, request),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    return router


async def _stream(
    h: PanelHub, queue: asyncio.Queue[tuple[str, Any]], request: Request
) -> AsyncIterator[str]:
    """State first, then each change; a ping keeps an idle connection open."""
    try:
        link = h.lock.link_connected
        yield _sse("state", h.snapshot())
        idle = 0.0
        while not await request.is_disconnected():
            try:
                kind, data = await asyncio.wait_for(queue.get(), LINK_CHECK_S)
            except TimeoutError:
                idle += LINK_CHECK_S
                if link != h.lock.link_connected:  # the link is not hardware: look
                    kind, data = "state", None
                elif idle >= PING_S:
                    idle = 0.0
                    yield ": ping\n\n"
                    continue
                else:
                    continue
            if kind == "state":
                while not queue.empty() and queue._queue[0][0] == "state":  # type: ignore[attr-defined]
                    queue.get_nowait()  # coalesce a burst of changes
                link = h.lock.link_connected
                data = h.snapshot()
            yield _sse(kind, data)
    finally:
        h.clients.discard(queue)


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _present(lock: LockProcess, data: bytes) -> None:
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:  # checked before any pixel is decoded
                    raise ValueError(f"{width}x{height} is too many pixels")
                image.thumbnail((1280, 1280))
                frame = np.asarray(image.convert("RGB"), dtype=np.uint8)
    except (
        UnidentifiedImageError,
        OSError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as err:
        raise ValueError(str(err)) from err
    lock.hardware.camera.present(frame)
