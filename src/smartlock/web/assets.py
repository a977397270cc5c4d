"""Serving the web app's own static files (no CDN, no third-party code).

A route rather than a StaticFiles mount, because ``create_app`` includes routers and
a router's mounts would be dropped on the way.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import Response

MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


def static_root() -> Path:
    return Path(str(resources.files("smartlock.web").joinpath("static"))).resolve()


def static_response(name: str) -> Response:
    """The file ``name`` under static/, or 404 (never a path outside it)."""
    root = static_root()
    path = (root / name).resolve()
    media = MEDIA_TYPES.get(path.suffix)
    if media is None or not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(status_code=404)
    return Response(
        path.read_bytes(),
        media_type=media,
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
