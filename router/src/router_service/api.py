"""Assembles the router's routers and applies service auth to the internal ones."""

from fastapi import APIRouter, Depends

from router_service.calendar_changes.router import router as calendar_changes_router
from router_service.chat.router import router as chat_router
from router_service.connect.router import router as connect_router
from router_service.grants.router import router as grants_router
from router_service.nlu.router import router as nlu_router
from router_service.preferences.router import router as preferences_router
from router_service.slack.router import router as slack_router
from router_service.web.router import router as web_router
from shared.auth import require_service

internal_router = APIRouter(prefix="/internal", dependencies=[Depends(require_service)])
internal_router.include_router(grants_router)
internal_router.include_router(calendar_changes_router)
internal_router.include_router(nlu_router)
internal_router.include_router(preferences_router)

api_router = APIRouter()
api_router.include_router(internal_router)
api_router.include_router(chat_router)
api_router.include_router(connect_router)
api_router.include_router(slack_router)
api_router.include_router(web_router)
