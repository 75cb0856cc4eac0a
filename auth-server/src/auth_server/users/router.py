"""Internal routes for users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from auth_server.users import service
from auth_server.users.dependencies import valid_user
from auth_server.users.models import User
from auth_server.users.schemas import UserCreate, UserOut
from shared.db import SessionDep

router = APIRouter(prefix="/users", tags=["users"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserOut)
async def create_user(body: UserCreate, session: SessionDep) -> User:
    """Creates a user."""
    return await service.create_user(session=session, display_name=body.display_name)


@router.get("/{user_id}", response_model=UserOut)
async def read_user(user: Annotated[User, Depends(valid_user)]) -> User:
    """Returns one user."""
    return user
