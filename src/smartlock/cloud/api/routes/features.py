"""The app features' routers in one place, so ``api.main`` lists a single module."""

from fastapi import APIRouter

from smartlock.cloud.api.routes import notifications, scenes, temp_passwords

router = APIRouter()
for module in (temp_passwords, notifications, scenes):
    router.include_router(module.router)
