"""Does a domain accept mail now? (The guard on resuming a `domain_unknown` address.)"""

from __future__ import annotations

import dns.exception
import dns.name
import dns.resolver
from django.core.cache import cache

from .conf import setting
from .policy import DomainCheck

# A "could not check" is kept only briefly: the next drawing of the page should ask again soon.
UNDETERMINED_CACHE_SECONDS = 30


def _resolver(timeout: float | None = None) -> dns.resolver.Resolver:
    servers = setting("DNS_NAMESERVERS")
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = list(servers)
    resolver.port = setting("DNS_PORT")
    resolver.lifetime = float(timeout or setting("DNS_TIMEOUT_SECONDS"))
    resolver.timeout = resolver.lifetime
    return resolver


def check_domain_accepts_mail(domain: str, *, timeout: float | None = None) -> DomainCheck:
    """MX first; with no MX, an A or AAAA record (RFC 5321 §5.1). A null MX (RFC 7505) refuses.

    Any failure to get an answer counts as "does not accept mail", so the guard errs on the side
    of not resuming; but only NXDOMAIN, a null MX or no record at all say the domain takes no
    mail. A timeout or servers that all fail are "could not check" (``undetermined``), which a
    lead may override.
    """
    resolver = _resolver(timeout)
    try:
        answer = resolver.resolve(domain, "MX", search=False)
    except dns.resolver.NXDOMAIN:
        return DomainCheck(domain, False, f"{domain} does not exist (NXDOMAIN).")
    except dns.resolver.NoAnswer:
        answer = None
    except dns.exception.Timeout:
        return DomainCheck(
            domain,
            False,
            f"Could not check {domain}: DNS did not answer within {resolver.lifetime:g} s.",
            undetermined=True,
        )
    except dns.resolver.NoNameservers:
        return DomainCheck(
            domain,
            False,
            f"Could not check {domain}: every DNS server failed to answer.",
            undetermined=True,
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


def check_domain_for_page(domain: str) -> DomainCheck:
    """The domain guard as the console draws it: a short timeout, answers cached per domain.

    The case page must stay fast and must not ask DNS on every reload; the service still asks
    again (uncached, with the full timeout) when someone resumes sending.
    """
    key = f"suppression:domain-check:{domain}"
    cached = cache.get(key)
    if isinstance(cached, DomainCheck):
        return cached
    check = check_domain_accepts_mail(domain, timeout=setting("CONSOLE_DNS_TIMEOUT_SECONDS"))
    life = (
        UNDETERMINED_CACHE_SECONDS if check.undetermined else setting("CONSOLE_DNS_CACHE_SECONDS")
    )
    cache.set(key, check, life)
    return check
