"""Secrets as files: each service and its migrations read a setting from a file named like
the variable, in the folder HARU_SECRETS_DIR names (compose mounts them at /run/secrets)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from auth_server.config import AuthSettings
from shared.settings import load_settings

REPO = Path(__file__).resolve().parents[2]


def test_a_service_reads_its_secrets_from_files(tmp_path, monkeypatch):
    (tmp_path / "AUTH_ENCRYPTION_KEYS").write_text("k1:from-a-file\n")
    (tmp_path / "AUTH_SERVICE_TOKENS").write_text('{"router": "t-router"}')
    (tmp_path / "AUTH_DATABASE_URL").write_text("sqlite+aiosqlite:///x.db")
    monkeypatch.setenv("HARU_SECRETS_DIR", str(tmp_path))
    monkeypatch.delenv("AUTH_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("AUTH_DATABASE_URL", raising=False)
    settings = load_settings(AuthSettings)
    assert settings.encryption_keys.get_secret_value() == "k1:from-a-file"
    assert settings.service_tokens["router"].get_secret_value() == "t-router"
    assert settings.database_url == "sqlite+aiosqlite:///x.db"


def test_migrations_read_the_database_url_from_its_file(tmp_path):
    database = tmp_path / "auth.db"
    (tmp_path / "AUTH_DATABASE_URL").write_text(f"sqlite+aiosqlite:///{database}\n")
    env = {"HARU_SECRETS_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "auth-server/alembic.ini", "upgrade", "head"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    assert database.stat().st_size > 0
