from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_dns_cache() -> Iterator[None]:
    """The case page caches DNS answers per domain: each test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def silent_dns(settings) -> Iterator[int]:
    """A real UDP socket on 127.0.0.1 that reads queries and never answers (a dead resolver)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "DNS_NAMESERVERS": ["127.0.0.1"],
        "DNS_PORT": port,
        "DNS_TIMEOUT_SECONDS": 0.5,
        "CONSOLE_DNS_TIMEOUT_SECONDS": 0.3,
    }
    yield port
    sock.close()
