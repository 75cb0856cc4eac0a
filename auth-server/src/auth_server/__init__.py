"""auth_server."""
