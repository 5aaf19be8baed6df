"""A small DNS server on 127.0.0.1 that answers from a fixed zone, NXDOMAIN for any other name.

`make run` starts one with the demo's zone and points the app's resolver at it, so the demo's
domain guard answers at once and without a network; the tests use the same server with zones of
their own. Production never runs it: the guard asks the system's resolver there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dnslib import AAAA, MX, QTYPE, RCODE, RR, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer

# name -> [(type, value)]: ("MX", (preference, host)), ("A", "192.0.2.1"), ("AAAA", "2001:db8::1");
# an MX host of "." is a null MX (RFC 7505).
Zone = Mapping[str, Iterable[tuple[str, Any]]]


def _key(name: str) -> str:
    return name.rstrip(".").lower() + "."


class ZoneResolver(BaseResolver):
    def __init__(self, zone: Zone | None = None) -> None:
        self.records: dict[str, list[tuple[str, Any]]] = {}
        for name, records in (zone or {}).items():
            for rtype, value in records:
                self.add(name, rtype, value)

    def add(self, name: str, rtype: str, value: Any) -> None:
        self.records.setdefault(_key(name), []).append((rtype, value))

    def resolve(self, request: Any, handler: Any) -> Any:
        reply = request.reply()
        qname = str(request.q.qname).lower()
        qtype = QTYPE[request.q.qtype]
        if qname not in self.records:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for rtype, value in self.records[qname]:
            if rtype != qtype:
                continue
            if rtype == "MX":
                rdata = MX(value[1], value[0])
            elif rtype == "A":
                rdata = A(value)
            else:
                rdata = AAAA(value)
            reply.add_answer(RR(qname, QTYPE.reverse[rtype], rdata=rdata, ttl=60))
        return reply


def start_server(zone: Zone | None = None, *, port: int = 0) -> tuple[DNSServer, ZoneResolver, int]:
    """Serve ``zone`` over UDP on 127.0.0.1 in a background thread; port 0 picks a free one."""
    resolver = ZoneResolver(zone)
    server = DNSServer(
        resolver,
        port=port,
        address="127.0.0.1",
        logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data"),
    )
    server.start_thread()
    return server, resolver, server.server.server_address[1]
