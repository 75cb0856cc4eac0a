"""Assembles the auth-server's routers and applies service auth to the internal ones."""

from fastapi import APIRouter, Depends

from auth_server.users.router import router as users_router
from shared.auth import require_service

internal_router = APIRouter(prefix="/internal", dependencies=[Depends(require_service)])
internal_router.include_router(users_router)

api_router = APIRouter()
api_router.include_router(internal_router)
