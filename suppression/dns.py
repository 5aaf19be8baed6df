"""Does a domain accept mail now? (The guard on resuming a `domain_unknown` address.)"""

from __future__ import annotations

import dns.exception
import dns.name
import dns.resolver

from .conf import setting
from .policy import DomainCheck


def _resolver() -> dns.resolver.Resolver:
    servers = setting("DNS_NAMESERVERS")
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = list(servers)
    resolver.port = setting("DNS_PORT")
    resolver.lifetime = float(setting("DNS_TIMEOUT_SECONDS"))
    resolver.timeout = resolver.lifetime
    return resolver


def check_domain_accepts_mail(domain: str) -> DomainCheck:
    """MX first; with no MX, an A or AAAA record (RFC 5321 §5.1). A null MX (RFC 7505) refuses.

    Any failure to get an answer (NXDOMAIN, timeout, SERVFAIL) counts as "does not accept mail":
    the guard errs on the side of not resuming.
    """
    resolver = _resolver()
    try:
        answer = resolver.resolve(domain, "MX", search=False)
    except dns.resolver.NXDOMAIN:
        return DomainCheck(domain, False, f"{domain} does not exist (NXDOMAIN).")
    except dns.resolver.NoAnswer:
        answer = None
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as error:
        return DomainCheck(
            domain, False, f"DNS lookup of {domain} failed: {error.__class__.__name__}."
        )
    except dns.exception.DNSException as error:
        return DomainCheck(domain, False, f"DNS lookup of {domain} failed: {error}")
    if answer is not None:
        hosts = sorted((record.preference, record.exchange) for record in answer)
        names = [host.to_text(omit_final_dot=True) for _, host in hosts if host != dns.name.root]
        if not names:
            return DomainCheck(domain, False, f"{domain} publishes a null MX: it accepts no mail.")
        return DomainCheck(domain, True, f"MX: {', '.join(names)}")
    for rdtype in ("A", "AAAA"):
        try:
            found = resolver.resolve(domain, rdtype, search=False)
        except dns.exception.DNSException:
            continue
        addresses = ", ".join(record.to_text() for record in found)
        return DomainCheck(domain, True, f"no MX; {rdtype}: {addresses}")
    return DomainCheck(domain, False, f"{domain} has no MX, A or AAAA record.")
