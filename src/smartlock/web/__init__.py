"""The web app (spec §9): server-rendered page shells plus small vanilla JS on the JSON API.

Mount it on the cloud: ``create_app(settings, extra_routers=[smartlock.web.create_router()])``.
"""

from __future__ import annotations

from fastapi import APIRouter


def create_router() -> APIRouter:
    """A fresh router with every page and asset of the web app under ``/app``."""
    from smartlock.web.pages import build_router

    return build_router()


__all__ = ["create_router"]
