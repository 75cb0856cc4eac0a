"""Assembles skill-calendar's routers; every route but health needs a service token."""

from fastapi import APIRouter, Depends

from shared.auth import require_service

internal_router = APIRouter(prefix="/v1", dependencies=[Depends(require_service)])

api_router = APIRouter()
api_router.include_router(internal_router)
