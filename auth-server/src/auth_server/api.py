"""Assembles the auth-server's routers; the internal ones admit only their declared callers."""

from fastapi import APIRouter, Depends

from auth_server.access import INTERNAL_CALLERS
from auth_server.grants.router import router as grants_router
from auth_server.identities.router import router as identities_router
from auth_server.oauth.router import router as pages_router
from auth_server.users.router import router as users_router
from shared.auth import authorize_callers

internal_router = APIRouter(
    prefix="/internal", dependencies=[Depends(authorize_callers(INTERNAL_CALLERS))]
)
internal_router.include_router(users_router)
internal_router.include_router(identities_router)
internal_router.include_router(grants_router)

api_router = APIRouter()
api_router.include_router(internal_router)
api_router.include_router(pages_router)
