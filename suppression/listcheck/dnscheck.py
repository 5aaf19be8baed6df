"""Does each domain of a list accept mail? Once per unique domain, concurrently, cached.

MX first; with no MX, an A or AAAA record (RFC 5321 §5.1); a null MX (RFC 7505) refuses mail.
Unlike the resume guard (``suppression/dns.py``), which errs on the side of not resuming, a list
check must not throw good addresses away because a resolver was slow: a timeout or a server
failure is "could not check", never "does not exist". Plain Python (dnspython), no Django.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

import dns.exception
import dns.name
import dns.resolver


class DomainStatus(StrEnum):
    MX = "mx"  # accepts mail: has MX hosts
    ADDRESS = "address"  # accepts mail: no MX, but an A or AAAA record
    NULL_MX = "null_mx"  # says it accepts no mail
    NXDOMAIN = "nxdomain"  # does not exist
    NO_RECORDS = "no_records"  # exists, but no MX, A or AAAA
    UNKNOWN = "unknown"  # no answer in time, or the server failed: could not check

    @property
    def accepts_mail(self) -> bool:
        return self in (DomainStatus.MX, DomainStatus.ADDRESS)

    @property
    def refuses_mail(self) -> bool:
        return self in (DomainStatus.NULL_MX, DomainStatus.NXDOMAIN, DomainStatus.NO_RECORDS)


@dataclass(frozen=True, slots=True)
class DomainAnswer:
    status: DomainStatus
    detail: str


def lookup(resolver: dns.resolver.Resolver, domain: str) -> DomainAnswer:
    """One domain's answer through ``resolver`` (its lifetime is the timeout of each query)."""
    try:
        answer = resolver.resolve(domain, "MX", search=False)
    except dns.resolver.NXDOMAIN:
        return DomainAnswer(DomainStatus.NXDOMAIN, f"{domain} does not exist")
    except dns.resolver.NoAnswer:
        answer = None
    except dns.exception.Timeout:
        return DomainAnswer(DomainStatus.UNKNOWN, f"DNS for {domain} did not answer in time")
    except dns.exception.DNSException as error:
        name = error.__class__.__name__
        return DomainAnswer(DomainStatus.UNKNOWN, f"DNS for {domain} failed ({name})")
    if answer is not None:
        hosts = [record.exchange for record in answer]
        if all(host == dns.name.root for host in hosts):
            return DomainAnswer(DomainStatus.NULL_MX, f"{domain} accepts no mail (null MX)")
        return DomainAnswer(DomainStatus.MX, "MX")
    failed = None
    for rdtype in ("A", "AAAA"):
        try:
            resolver.resolve(domain, rdtype, search=False)
        except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
            continue
        except dns.exception.DNSException as error:
            failed = error
            continue
        return DomainAnswer(DomainStatus.ADDRESS, f"no MX; {rdtype}")
    if failed is not None:
        name = failed.__class__.__name__
        return DomainAnswer(DomainStatus.UNKNOWN, f"DNS for {domain} failed ({name})")
    return DomainAnswer(DomainStatus.NO_RECORDS, f"{domain} has no MX, A or AAAA record")


class AnswerCache:
    """Definite answers kept ``ttl`` seconds, shared by the checks of one process.

    "Could not check" is never cached: the next check asks again. At ``max_size`` entries the
    oldest half goes (dicts keep insertion order).
    """

    def __init__(self, ttl: float = 3600.0, max_size: int = 200_000) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._entries: dict[tuple[str, str], tuple[float, DomainAnswer]] = {}
        self._lock = threading.Lock()

    def get(self, scope: str, domain: str) -> DomainAnswer | None:
        entry = self._entries.get((scope, domain))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, scope: str, domain: str, answer: DomainAnswer) -> None:
        if answer.status is DomainStatus.UNKNOWN:
            return
        with self._lock:
            if len(self._entries) >= self.max_size:
                for key in list(self._entries)[: self.max_size // 2]:
                    del self._entries[key]
            self._entries[(scope, domain)] = (time.monotonic() + self.ttl, answer)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


SHARED_CACHE = AnswerCache()


class DomainChecker:
    """Looks up many domains at once on ``workers`` threads, each query within ``timeout``."""

    def __init__(
        self,
        *,
        nameservers: Iterable[str] = (),
        port: int = 53,
        timeout: float = 3.0,
        workers: int = 32,
        cache: AnswerCache | None = SHARED_CACHE,
    ) -> None:
        self.nameservers = list(nameservers)
        self.port = port
        self.timeout = timeout
        self.workers = workers
        self.cache = cache
        self.scope = f"{','.join(self.nameservers)}:{port}"
        self.lookups = 0  # domains actually asked (not from the cache)
        self._local = threading.local()
        # One pool for the whole check: threads (and their resolvers and malloc arenas) are
        # reused chunk after chunk instead of 32 new ones per chunk.
        self._pool: ThreadPoolExecutor | None = None
        # Look-ups started ahead of the chunk that needs them (``prefetch``), by domain.
        self._pending: dict[str, Future[DomainAnswer]] = {}

    def close(self) -> None:
        """Stop: look-ups not started yet are dropped, those running end within the timeout."""
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __del__(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False)

    def _resolver(self) -> dns.resolver.Resolver:
        resolver = getattr(self._local, "resolver", None)
        if resolver is None:
            resolver = dns.resolver.Resolver(configure=not self.nameservers)
            if self.nameservers:
                resolver.nameservers = self.nameservers
            resolver.port = self.port
            resolver.lifetime = self.timeout
            resolver.timeout = self.timeout
            self._local.resolver = resolver
        return resolver

    def _one(self, domain: str) -> DomainAnswer:
        try:
            return lookup(self._resolver(), domain)
        except Exception as error:  # a resolver bug must not end the whole check
            return DomainAnswer(DomainStatus.UNKNOWN, f"DNS for {domain} failed ({error!r})")

    def _submit(self, domain: str) -> Future[DomainAnswer]:
        self.lookups += 1
        if self.workers <= 1:
            done: Future[DomainAnswer] = Future()
            done.set_result(self._one(domain))
            return done
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=self.workers, thread_name_prefix="listcheck-dns"
            )
        return self._pool.submit(self._one, domain)

    def _cached(self, domain: str) -> DomainAnswer | None:
        return self.cache.get(self.scope, domain) if self.cache is not None else None

    def prefetch(self, domains: Iterable[str]) -> int:
        """Start looking ``domains`` up on the pool, in this order, without waiting for them;
        ``check`` then takes their answers. How many look-ups were started.

        A check reads its file once ahead for the domains, so that a domain which never answers
        costs its timeout once, overlapped with everything else, instead of holding up the
        chunk it is first seen in (chunk after chunk on an old list with many dead servers).
        """
        if self.workers <= 1:
            return 0
        started = 0
        for domain in domains:
            if domain not in self._pending and self._cached(domain) is None:
                self._pending[domain] = self._submit(domain)
                started += 1
        return started

    def check(self, domains: Iterable[str]) -> dict[str, DomainAnswer]:
        """The answer for each of ``domains`` (each asked at most once)."""
        result: dict[str, DomainAnswer] = {}
        waiting: list[tuple[str, Future[DomainAnswer]]] = []
        for domain in dict.fromkeys(domains):
            future = self._pending.pop(domain, None)
            if future is None:
                cached = self._cached(domain)
                if cached is not None:
                    result[domain] = cached
                    continue
                future = self._submit(domain)
            waiting.append((domain, future))
        for domain, future in waiting:
            answer = future.result()
            result[domain] = answer
            if self.cache is not None:
                self.cache.put(self.scope, domain, answer)
        return result
