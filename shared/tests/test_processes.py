"""shared.processes: the ports our processes are started on."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from shared.processes import free_port

EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")


@pytest.mark.skipif(not EPHEMERAL.exists(), reason="Linux names its ephemeral range there")
def test_a_free_port_is_outside_the_range_outgoing_connections_take():
    """A process restarted on its port (the e2e router, moved in time) must find it free:
    any outgoing connection on the machine may take a port of the ephemeral range as its
    local end meanwhile, and then the restart fails with 'address already in use'."""
    low, high = (int(part) for part in EPHEMERAL.read_text().split())
    for _ in range(20):
        port = free_port()
        assert not low <= port <= high, port
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # and nothing holds it
