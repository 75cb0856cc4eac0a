"""``python -m router_service``: serve the router."""

from router_service.config import RouterSettings
from router_service.main import create_app
from shared.server import serve
from shared.settings import load_settings

if __name__ == "__main__":
    settings = load_settings(RouterSettings)
    serve(create_app, settings, port=settings.port)
