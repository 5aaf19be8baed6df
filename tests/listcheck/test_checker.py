"""The checker's verdicts, each one, their precedence, and the reasons behind them."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from suppression.listcheck.checker import Checker, Verdict, is_disposable, suggest_domain
from suppression.listcheck.dnscheck import DomainChecker


@pytest.mark.parametrize(
    ("domain", "meant"),
    [
        ("gmial.com", "gmail.com"),
        ("gmai.com", "gmail.com"),
        ("gmail.con", "gmail.com"),
        ("ukr.nte", "ukr.net"),
        ("urk.net", "ukr.net"),
        ("i.au", "i.ua"),
        ("meta.au", "meta.ua"),
        ("mtea.ua", "meta.ua"),
        ("hotmial.com", "hotmail.com"),
        ("yaho.com", "yahoo.com"),
        ("bigmir.ner", "bigmir.net"),
        ("company.con", "company.com"),
    ],
)
def test_typos_get_the_domain_that_was_meant(domain: str, meant: str) -> None:
    assert suggest_domain(domain) == meant


@pytest.mark.parametrize(
    "domain", ["gmail.com", "ukr.net", "i.ua", "meta.ua", "mail.ru", "firma.com.ua", "kwiga.com"]
)
def test_known_and_unrelated_domains_are_left_alone(domain: str) -> None:
    assert suggest_domain(domain) == ""


def test_disposable_domains_come_from_the_maintained_list() -> None:
    assert is_disposable("mailinator.com")
    assert is_disposable("sub.mailinator.com")
    assert not is_disposable("gmail.com")


def verdicts(checker: Checker, values: Sequence[str]) -> list[str]:
    return [result.verdict.value for result in checker.check(values)]


def test_every_verdict(dns_checker: DomainChecker) -> None:
    suppressed = {"paused@firma.com.ua": "cannot be mailed"}
    checker = Checker(dns=dns_checker, suppressed=lambda wanted: {
        a: suppressed[a] for a in wanted if a in suppressed
    })  # fmt: skip
    rows = [
        "olena@firma.com.ua",  # ok
        "ivan@gmial.com",  # fix suggested
        "info@firma.com.ua",  # risky: role account
        "someone@mailinator.com",  # risky: disposable
        "x@silent.example",  # could not check
        "x@nowhere.example",  # invalid: no such domain
        "x@null-mx.example",  # invalid: null MX
        "not an address",  # invalid
        "paused@firma.com.ua",  # suppressed
        "OLENA@firma.com.ua",  # duplicate
        "x@only-a.example",  # ok: A record only
    ]
    assert verdicts(checker, rows) == [
        "ok",
        "fix_suggested",
        "risky",
        "risky",
        "could_not_check",
        "invalid",
        "invalid",
        "invalid",
        "suppressed",
        "duplicate",
        "ok",
    ]
    assert checker.counts.by_verdict == {
        "invalid": 3,
        "duplicate": 1,
        "suppressed": 1,
        "fix_suggested": 1,
        "could_not_check": 1,
        "risky": 2,
        "ok": 2,
    }


def test_precedence_and_every_reason_listed(dns_checker: DomainChecker) -> None:
    checker = Checker(dns=dns_checker, suppressed=lambda wanted: {
        a: "cannot be mailed" for a in wanted if a.startswith("info@")
    })  # fmt: skip
    info, typo, role_silent = checker.check(
        ["info@firma.com.ua", "admin@gmial.con", "admin@silent.example"]
    )
    # suppressed beats risky, and the role account is still said
    assert info.verdict is Verdict.SUPPRESSED
    assert any("role account" in reason for reason in info.reasons)
    # fix suggested beats risky
    assert typo.verdict is Verdict.FIX_SUGGESTED
    assert typo.suggestion == "admin@gmail.com"
    assert any("role account" in reason for reason in typo.reasons)
    # could not check beats risky
    assert role_silent.verdict is Verdict.COULD_NOT_CHECK


def test_the_first_of_duplicates_keeps_its_verdict_across_chunks() -> None:
    checker = Checker()
    assert verdicts(checker, ["a@firma.com.ua", "b@firma.com.ua"]) == ["ok", "ok"]
    assert verdicts(checker, [" A@FIRMA.com.ua ", "b@firma.com.ua"]) == ["duplicate"] * 2


def test_the_suppressed_lookup_runs_once_per_chunk_with_unique_addresses() -> None:
    calls: list[list[str]] = []

    def lookup(wanted: Sequence[str]) -> dict[str, str]:
        calls.append(list(wanted))
        return {}

    checker = Checker(suppressed=lookup)
    checker.check(["a@firma.com.ua", "A@firma.com.ua", "b@firma.com.ua", "bad"])
    assert calls == [["a@firma.com.ua", "b@firma.com.ua"]]


def test_a_fix_that_is_itself_suppressed_is_not_offered_for_import() -> None:
    checker = Checker(suppressed=lambda wanted: {
        a: "cannot be mailed" for a in wanted if a == "ivan@gmail.com"
    })  # fmt: skip
    (typo,) = checker.check(["ivan@gmial.com"])
    assert typo.verdict is Verdict.FIX_SUGGESTED
    assert not typo.fixable
    assert "ivan@gmail.com: cannot be mailed" in typo.reasons


def test_unusual_but_valid_addresses_go_the_exact_way() -> None:
    checker = Checker()
    results = checker.check(['"john doe"@firma.com.ua', "олена@пошта.укр", "a@localhost"])
    assert [r.verdict for r in results] == [Verdict.INVALID, Verdict.OK, Verdict.INVALID]
    assert any(domain.startswith("xn--") for domain in checker.domains)


def test_dns_is_asked_once_per_domain_and_never_for_known_providers(list_dns, dns_checker):
    resolver, _ = list_dns
    checker = Checker(dns=dns_checker)
    checker.check([f"user{i}@has-mx.example" for i in range(50)] + ["x@gmail.com"])
    checker.check(["late@has-mx.example"])
    assert resolver.asked.count("has-mx.example.") == 1
    assert not [name for name in resolver.asked if "gmail" in name]
