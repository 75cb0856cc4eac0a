"""Assembles the router's routers and applies service auth to the internal ones."""

from fastapi import APIRouter, Depends

from router_service.nlu.router import router as nlu_router
from shared.auth import require_service

internal_router = APIRouter(prefix="/internal", dependencies=[Depends(require_service)])
internal_router.include_router(nlu_router)

api_router = APIRouter()
api_router.include_router(internal_router)
