"""A real DNS server on 127.0.0.1 for tests: the app's demo server, with a zone each test fills."""

from __future__ import annotations

from dnslib.server import DNSServer

from suppression.demo_dns import ZoneResolver
from suppression.demo_dns import start_server as _start

__all__ = ["ZoneResolver", "start_server"]


def start_server() -> tuple[DNSServer, ZoneResolver, int]:
    return _start()
