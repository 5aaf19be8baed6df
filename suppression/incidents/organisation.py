"""Which receiving organisation refused: the remote MTA's registered domain, else the recipient's.

Microsoft 365 receives for thousands of customer domains at ``*.protection.outlook.com``; each
customer domain alone stays under any threshold, the organisation does not. The public suffix
list comes from tldextract's bundled snapshot: it never fetches it over the network.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,253}[a-z0-9])?")


@lru_cache(maxsize=1)
def _extractor() -> Any:
    """tldextract, loaded on the first refusal: it imports requests (for fetching, which it never
    does here), and the bounce pipe starts a process per message (tests/ingest/test_startup.py)."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _host_of(remote_mta: str) -> str:
    text = remote_mta.strip().lower()
    if ";" in text:  # RFC 3464 "dns; mx.example.com"
        text = text.split(";", 1)[1].strip()
    text = text.split()[0] if text.split() else ""
    text = text.strip("[]<>()").rstrip(".")
    return text


@lru_cache(maxsize=4096)
def registered_domain(host: str) -> str:
    """``mx1.eur.protection.outlook.com`` → ``outlook.com``; "" for an IP or no known suffix."""
    if not host or not _HOST.fullmatch(host):
        return ""
    try:
        ipaddress.ip_address(host)
        return ""
    except ValueError:
        pass
    parts = _extractor()(host)
    if not parts.suffix or not parts.domain:
        return ""
    return f"{parts.domain}.{parts.suffix}"


def organisation_of(remote_mta: str, recipient_domain: str) -> str:
    """The organisation a refusal counts against."""
    return registered_domain(_host_of(remote_mta)) or recipient_domain.lower()
