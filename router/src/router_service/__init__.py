"""router_service."""
