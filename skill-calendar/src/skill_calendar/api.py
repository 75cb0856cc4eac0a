"""Assembles skill-calendar's routers; every route but health and Google's push
notifications needs a service token."""

from fastapi import APIRouter, Depends

from shared.auth import require_service
from skill_calendar.events.router import router as events_router
from skill_calendar.sync.router import notifications_router, people_router

internal_router = APIRouter(prefix="/v1", dependencies=[Depends(require_service)])
internal_router.include_router(events_router)
internal_router.include_router(people_router)

api_router = APIRouter()
api_router.include_router(internal_router)
# Google's push notifications carry no bearer token: each is checked against its channel.
api_router.include_router(notifications_router)
