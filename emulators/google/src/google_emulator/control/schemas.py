"""Request bodies of the control API."""

from pydantic import BaseModel, Field


class AccountIn(BaseModel):
    """A test account to create."""

    email: str
    name: str | None = None
    time_zone: str | None = None


class AccountPatch(BaseModel):
    """Fields of an account that can change."""

    time_zone: str | None = None
    name: str | None = None


class AuthorizeIn(BaseModel):
    """The consent step without a browser."""

    url: str
    email: str
    allow: bool = True
    scopes: list[str] | None = None


class FaultIn(BaseModel):
    """An injected failure."""

    match: str
    status: int | None = Field(default=None, ge=400, le=599)
    count: int = Field(default=1, ge=1)
    retry_after: int | None = Field(default=None, ge=0)
    delay: float = Field(default=0.0, ge=0, le=600)
    reason: str | None = None
    drop_response: bool = False


class ClientIn(BaseModel):
    """An extra OAuth client."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] = []
    loopback_paths: list[str] = []


class EmailIn(BaseModel):
    """An account e-mail (optional where noted)."""

    email: str | None = None
