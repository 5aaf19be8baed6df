"""A real DNS server on 127.0.0.1 for the list check, with a domain that never answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dnslib.dns import DNSError
from dnslib.server import DNSLogger, DNSServer

from suppression.listcheck.dnscheck import DomainChecker
from tests.dnsserver import ZoneResolver

ZONE = {
    "has-mx.example": [("MX", (10, "mx1.has-mx.example"))],
    "only-a.example": [("A", "192.0.2.10")],
    "only-aaaa.example": [("AAAA", "2001:db8::10")],
    "null-mx.example": [("MX", (0, "."))],
    # exists (has a TXT-free, record-less name): answers, but with nothing useful
    "empty.example": [],
    "firma.com.ua": [("MX", (10, "mx.firma.com.ua"))],
    "mailinator.com": [("MX", (10, "mail.mailinator.com"))],
}
SILENT = {"silent.example"}


class ListZoneResolver(ZoneResolver):
    """The zone above; names in ``silent`` and below get no reply at all (the client times out)."""

    def __init__(self) -> None:
        super().__init__(ZONE)
        for name in ZONE:
            self.records.setdefault(name.rstrip(".").lower() + ".", [])
        self.silent = {name + "." for name in SILENT}
        self.asked: list[str] = []

    def resolve(self, request: Any, handler: Any) -> Any:
        qname = str(request.q.qname).lower()
        self.asked.append(qname)
        if any(qname == name or qname.endswith("." + name) for name in self.silent):
            raise DNSError("never answers")  # dnslib then sends nothing
        return super().resolve(request, handler)


@pytest.fixture(scope="session")
def list_dns() -> Iterator[tuple[ListZoneResolver, int]]:
    resolver = ListZoneResolver()
    server = DNSServer(
        resolver,
        port=0,
        address="127.0.0.1",
        logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data"),
    )
    server.start_thread()
    yield resolver, server.server.server_address[1]
    server.stop()


@pytest.fixture
def dns_checker(list_dns: tuple[ListZoneResolver, int]) -> DomainChecker:
    resolver, port = list_dns
    resolver.asked.clear()
    return DomainChecker(nameservers=["127.0.0.1"], port=port, timeout=0.5, cache=None)


@pytest.fixture
def list_dns_settings(list_dns: tuple[ListZoneResolver, int], settings: Any) -> ListZoneResolver:
    """The app's settings pointed at the list check's DNS server."""
    resolver, port = list_dns
    resolver.asked.clear()
    settings.SUPPRESSION = {
        **settings.SUPPRESSION,
        "DNS_NAMESERVERS": ["127.0.0.1"],
        "DNS_PORT": port,
        "LIST_CHECK_DNS_TIMEOUT_SECONDS": 0.5,
    }
    from suppression.listcheck.dnscheck import SHARED_CACHE

    SHARED_CACHE.clear()
    return resolver
