"""Assembles the auth-server's routers and applies service auth to the internal ones."""

from fastapi import APIRouter, Depends

from auth_server.grants.router import router as grants_router
from auth_server.identities.router import router as identities_router
from auth_server.oauth.router import router as pages_router
from auth_server.users.router import router as users_router
from shared.auth import require_service

internal_router = APIRouter(prefix="/internal", dependencies=[Depends(require_service)])
internal_router.include_router(users_router)
internal_router.include_router(identities_router)
internal_router.include_router(grants_router)

api_router = APIRouter()
api_router.include_router(internal_router)
api_router.include_router(pages_router)
