"""``python -m auth_server``: serve the auth-server."""

from auth_server.config import AuthSettings
from auth_server.main import create_app
from shared.server import serve
from shared.settings import load_settings

if __name__ == "__main__":
    settings = load_settings(AuthSettings)
    serve(create_app, settings, port=settings.port)
