from pathlib import Path

import pytest

from router_service.db import Base, load_models
from shared.testing import assert_migrations_roundtrip

pytestmark = pytest.mark.db


@pytest.mark.parametrize("backend", ["database_url", "sqlite_url"])
def test_migrations_match_models_and_go_down_to_base(request, backend):
    database_url = request.getfixturevalue(backend)
    load_models()
    service_dir = Path(__file__).resolve().parents[1]
    assert_migrations_roundtrip(service_dir, database_url, Base.metadata, "alembic_version_router")
