"""A real DNS server on 127.0.0.1 for tests: answers from a dict zone, NXDOMAIN otherwise."""

from __future__ import annotations

from typing import Any

from dnslib import AAAA, MX, QTYPE, RCODE, RR, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class ZoneResolver(BaseResolver):
    def __init__(self) -> None:
        self.records: dict[str, list[tuple[str, Any]]] = {}

    def add(self, name: str, rtype: str, value: Any) -> None:
        self.records.setdefault(name.rstrip(".").lower() + ".", []).append((rtype, value))

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


def start_server() -> tuple[DNSServer, ZoneResolver, int]:
    resolver = ZoneResolver()
    server = DNSServer(
        resolver,
        port=0,
        address="127.0.0.1",
        logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data"),
    )
    server.start_thread()
    port = server.server.server_address[1]
    return server, resolver, port
