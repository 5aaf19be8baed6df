"""The list checker: one verdict per row, with the reasons behind it. Plain Python, no Django.

Verdicts, in precedence order (the first that applies wins; every reason found is still listed):

1. ``invalid`` — not an email address at all (email-validator's syntax rules, no network).
2. ``duplicate`` — the same address (after normalization) appeared on an earlier row; the earlier
   row keeps its own verdict.
3. ``suppressed`` — sending to it is paused: it cannot be mailed.
4. ``fix_suggested`` — the domain looks like a typo of a known provider or TLD
   (``gmial.com`` → ``gmail.com``); the suggestion comes with it. Before "does not exist",
   because a typo domain usually does not exist and the fix is what the owner needs.
5. ``invalid`` — the domain accepts no mail: it does not exist, publishes a null MX, or has no
   MX, A or AAAA record.
6. ``could_not_check`` — DNS did not answer in time (or failed): the address may be fine.
7. ``risky`` — a role account (info@, admin@, noreply@…) or a disposable-mail domain.
8. ``ok``.

Rows ``ok``, ``risky`` and ``could_not_check`` are safe to import (``SAFE``).

Speed: a list is mostly a few thousand domains repeated, so everything about a domain (typo,
disposable, DNS, even the domain half of the address syntax) is worked out once per domain; per
row there is one regular expression on the local part, a couple of dict look-ups and a table of
hashes for duplicates (hashes, not strings, in a flat table: ``hashset.py``, so that memory stays
small at a million rows).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from disposable_email_domains import blocklist as DISPOSABLE
from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..addresses import _PLAIN, _SPECIAL_USE_SUFFIXES, SPECIAL_USE_DOMAIN_NAMES, normalize_email
from ..exceptions import InvalidEmailAddress
from .dnscheck import DomainAnswer, DomainChecker, DomainStatus
from .hashset import HashSet
from .providers import PROVIDERS, ROLE_ACCOUNTS, TLD_TYPOS


class Verdict(StrEnum):
    OK = "ok"
    FIX_SUGGESTED = "fix_suggested"
    RISKY = "risky"
    COULD_NOT_CHECK = "could_not_check"
    INVALID = "invalid"
    SUPPRESSED = "suppressed"
    DUPLICATE = "duplicate"


# The order the summary lists them in, most urgent first.
VERDICT_ORDER = (
    Verdict.INVALID,
    Verdict.DUPLICATE,
    Verdict.SUPPRESSED,
    Verdict.FIX_SUGGESTED,
    Verdict.COULD_NOT_CHECK,
    Verdict.RISKY,
    Verdict.OK,
)
SAFE = frozenset({Verdict.OK, Verdict.RISKY, Verdict.COULD_NOT_CHECK})

# What the lookup of suppressed addresses answers: normalized address → the words to show
# ("cannot be mailed", or with the reason where the reader may see it).
SuppressedLookup = Callable[[Sequence[str]], dict[str, str]]

_PROVIDER_LIST = sorted(PROVIDERS)
# The API's expression for a plain address, cut at its "@" (neither half matches an "@"): a
# text matches it exactly when its local part matches the first and its domain, in ASCII, the
# second (tests/listcheck/test_checker.py).
_PLAIN_LOCAL, _PLAIN_DOMAIN = (re.compile(half) for half in _PLAIN.pattern.split("@"))
_TLD_RE = re.compile(r"[a-z]{2,63}")


def suggest_domain(domain: str) -> str:
    """The domain the writer probably meant, or "" when ``domain`` looks as intended.

    A known provider is never "fixed". Otherwise a mistyped TLD is fixed first (``.con`` →
    ``.com``), then the result is compared with the providers: within one edit (a swap of two
    neighbours counts as one) for short domains, two for longer ones.
    """
    if domain in PROVIDERS:
        return ""
    name, dot, tld = domain.rpartition(".")
    candidate = f"{name}.{TLD_TYPOS[tld]}" if dot and tld in TLD_TYPOS else domain
    if candidate in PROVIDERS:
        return candidate
    limit = 1 if len(candidate) <= 8 else 2
    match = process.extractOne(candidate, _PROVIDER_LIST, scorer=OSA.distance, score_cutoff=limit)
    if match is not None:
        return str(match[0])
    return candidate if candidate != domain else ""


def is_disposable(domain: str) -> bool:
    """On the disposable-email-domains block list, itself or a parent domain."""
    if domain in DISPOSABLE:
        return True
    parts = domain.split(".")
    return any(".".join(parts[i:]) in DISPOSABLE for i in range(1, len(parts) - 1))


@dataclass(slots=True)
class DomainFacts:
    suggestion: str
    disposable: bool
    provider: bool
    # The regular-expression path may normalize addresses at this domain (the plain ASCII
    # domain the API's expression takes, not a special-use name, no IDNA-reserved "xx--"
    # label); otherwise email-validator decides.
    fast: bool
    answer: DomainAnswer | None = None
    # Nothing to say about the domain: no typo, not disposable, accepts mail (or not asked).
    clean: bool = False

    def settle(self) -> None:
        answer = self.answer
        self.clean = (
            not self.suggestion
            and not self.disposable
            and (answer is None or answer.status.accepts_mail)
        )


class RowResult(NamedTuple):
    verdict: Verdict
    address: str  # normalized, "" when invalid
    suggestion: str  # the suggested address, "" when none
    reasons: tuple[str, ...]
    # The suggestion may replace the address on import: it is neither suppressed nor already on
    # an earlier row.
    fixable: bool = False


# Every "ok" row shares this one result (nothing to say about it; the report needs no more).
OK_RESULT = RowResult(Verdict.OK, "", "", ())
_NO_AT = RowResult(Verdict.INVALID, "", "", ("no @ sign: not an email address",))
_EMPTY = RowResult(Verdict.INVALID, "", "", ("empty",))


@dataclass
class Counts:
    rows: int = 0
    by_verdict: dict[str, int] = field(default_factory=lambda: {v.value: 0 for v in VERDICT_ORDER})
    domains: int = 0
    dns_lookups: int = 0


_OK = Verdict.OK
_INVALID = Verdict.INVALID
_DUPLICATE = Verdict.DUPLICATE
_DUPLICATE_REASONS = ("the same address is on an earlier row",)
# A domain first seen in the current chunk: its DNS answer comes at the end of the chunk.
_PENDING = DomainAnswer(DomainStatus.UNKNOWN, "not asked yet")


class Checker:
    """Checks rows chunk by chunk and remembers what it needs across chunks (duplicates, domains).

    ``dns`` is None to skip DNS (every domain then counts as accepting mail); ``suppressed`` is
    None to skip the suppressed look-up. Both are called once per chunk, never per row.
    """

    def __init__(
        self,
        *,
        dns: DomainChecker | None = None,
        suppressed: SuppressedLookup | None = None,
    ) -> None:
        self.dns = dns
        self.suppressed = suppressed
        self.domains: dict[str, DomainFacts] = {}
        # The hashes of the addresses seen (hashes, not strings; in a flat table, not a set:
        # see hashset.py), for duplicates across chunks.
        self.seen = HashSet()
        self.counts = Counts()
        self._blocked: dict[str, str] = {}

    def _facts(self, domain: str) -> DomainFacts:
        facts = DomainFacts(
            suggestion=suggest_domain(domain),
            disposable=is_disposable(domain),
            provider=domain in PROVIDERS,
            fast=_PLAIN_DOMAIN.fullmatch(domain) is not None
            and not (
                domain in SPECIAL_USE_DOMAIN_NAMES
                or domain.endswith(_SPECIAL_USE_SUFFIXES)
                or ("--" in domain and any(label[2:4] == "--" for label in domain.split(".")))
            ),
        )
        if self.dns is not None and not facts.provider:
            facts.answer = _PENDING  # asked at the end of the chunk
        facts.settle()
        self.domains[domain] = facts
        return facts

    def prefetch(self, values: Iterable[str], limit: int) -> int:
        """Start the DNS look-ups of the first ``limit`` new domains among ``values`` (the
        email column of the whole file, read ahead) without waiting; ``check`` uses their
        answers. Only the domains ``check`` would ask DNS about: plain, not a known provider.
        How many look-ups were started."""
        if self.dns is None:
            return 0
        wanted: dict[str, None] = {}
        looked: set[str] = set()
        plain_domain = _PLAIN_DOMAIN.fullmatch
        for value in values:
            domain = value.rpartition("@")[2].strip().lower()
            if domain in looked:
                continue
            if len(looked) >= 4 * limit:  # a column of junk: memory stays bounded
                break
            looked.add(domain)
            if (
                domain.isascii()
                and domain not in PROVIDERS
                and domain not in self.domains
                and plain_domain(domain)
            ):
                wanted[domain] = None
                if len(wanted) >= limit:
                    break
        return self.dns.prefetch(wanted)

    def check(self, values: Sequence[str]) -> list[RowResult]:
        """One result per value, in order. Every ``ok`` row gets the same ``OK_RESULT``."""
        domains = self.domains
        add_seen = self.seen.add
        plain_local = _PLAIN_LOCAL.fullmatch
        plain_domain = _PLAIN_DOMAIN.fullmatch
        roles = ROLE_ACCOUNTS
        ok_result = OK_RESULT
        results: list[RowResult] = []
        append = results.append
        # Rows decided once DNS and the suppressed look-up have answered: (index, address,
        # local part, facts). A row at a clean, known domain is "ok" at once, unless the
        # look-up says otherwise (checked below over the new addresses only).
        later: list[tuple[int, str, str, DomainFacts]] = []
        fresh: list[str] = []
        fresh_rows: list[int] = []
        fixes: list[str] = []
        new_domains: list[str] = []
        for value in values:
            text = value.strip()
            if "@" not in text:
                append(_NO_AT if text else _EMPTY)
                continue
            address = ""
            facts = None
            # The API's expression (addresses._PLAIN) in two halves: the local part on every
            # row, the domain once (``fast`` holds it), as a match of the whole would do.
            local, _, domain = text.rpartition("@")
            if len(text) <= 254 and plain_local(local) and domain.isascii():
                domain = domain.lower()
                facts = domains.get(domain)
                if facts is None and plain_domain(domain):
                    facts = self._facts(domain)
                    if not facts.provider:
                        new_domains.append(domain)
                if facts is not None and facts.fast and len(local) <= 64:
                    local = local.lower()
                    address = f"{local}@{domain}"
            if not address:
                try:
                    address = normalize_email(text).address
                except InvalidEmailAddress as error:
                    append(RowResult(_INVALID, "", "", (error.why,)))
                    continue
                local, _, domain = address.rpartition("@")
                facts = domains.get(domain)
                if facts is None:
                    facts = self._facts(domain)
                    if not facts.provider:
                        new_domains.append(domain)
            if not add_seen(hash(address)):
                append(RowResult(_DUPLICATE, address, "", _DUPLICATE_REASONS))
                continue
            fresh.append(address)
            fresh_rows.append(len(results))
            if facts.clean and local.partition("+")[0] not in roles:  # type: ignore[union-attr]
                append(ok_result)
                continue
            if facts.suggestion:  # type: ignore[union-attr]
                fixes.append(f"{local}@{facts.suggestion}")  # type: ignore[union-attr]
            later.append((len(results), address, local, facts))  # type: ignore[arg-type]
            append(ok_result)  # a placeholder, replaced below

        if new_domains:
            answers = self.dns.check(new_domains) if self.dns is not None else {}
            for domain in new_domains:
                facts = domains[domain]
                facts.answer = answers.get(domain)
                facts.settle()
        wanted = fresh + fixes if fixes else fresh
        blocked: dict[str, str] = (
            self.suppressed(wanted) if self.suppressed is not None and wanted else {}
        )
        self._blocked = blocked
        if blocked:
            decided = {index for index, *_ in later}
            for index, address in zip(fresh_rows, fresh, strict=True):
                if address in blocked and index not in decided:
                    local, _, domain = address.rpartition("@")
                    later.append((index, address, local, domains[domain]))
        for index, address, local, facts in later:
            results[index] = self._verdict(address, local, facts, blocked.get(address))

        by_verdict = self.counts.by_verdict
        by_verdict[_OK] += len(values)
        for result in results:
            if result is not ok_result:
                by_verdict[result.verdict] += 1
                by_verdict[_OK] -= 1
        self.counts.rows += len(values)
        self.counts.domains = len(domains)
        self.counts.dns_lookups = self.dns.lookups if self.dns is not None else 0
        return results

    def _verdict(
        self, address: str, local: str, facts: DomainFacts, blocked: str | None
    ) -> RowResult:
        domain = address[len(local) + 1 :]
        answer = facts.answer
        role = local.partition("+")[0] in ROLE_ACCOUNTS
        if blocked is None and facts.clean and not role:
            return RowResult(Verdict.OK, address, "", ())
        reasons: list[str] = []
        verdicts: list[Verdict] = []
        suggestion = ""
        fixable = False
        if blocked is not None:
            verdicts.append(Verdict.SUPPRESSED)
            reasons.append(blocked)
        if facts.suggestion:
            verdicts.append(Verdict.FIX_SUGGESTED)
            suggestion = f"{local}@{facts.suggestion}"
            reasons.append(f"{domain} looks like a typo of {facts.suggestion}")
            if suggestion in self._blocked:
                reasons.append(f"{suggestion}: {self._blocked[suggestion]}")
            elif hash(suggestion) in self.seen:
                reasons.append(f"{suggestion} is on another row")
            else:
                fixable = True
        if answer is not None and answer.status.refuses_mail:
            verdicts.append(Verdict.INVALID)
            reasons.append(answer.detail)
        elif answer is not None and answer.status is DomainStatus.UNKNOWN:
            verdicts.append(Verdict.COULD_NOT_CHECK)
            reasons.append(answer.detail)
        if role:
            verdicts.append(Verdict.RISKY)
            reasons.append(f"{local}@ is a role account, not a person")
        if facts.disposable:
            verdicts.append(Verdict.RISKY)
            reasons.append(f"{domain} is a disposable-mail domain")
        return RowResult(verdicts[0], address, suggestion, tuple(reasons), fixable)
