"""Domain look-ups against the real DNS server on 127.0.0.1: MX, A only, null MX, NXDOMAIN,
and a server that never answers ("could not check", never "does not exist")."""

from __future__ import annotations

import time

import pytest

from suppression.listcheck.dnscheck import AnswerCache, DomainChecker, DomainStatus


@pytest.mark.parametrize(
    ("domain", "status"),
    [
        ("has-mx.example", DomainStatus.MX),
        ("only-a.example", DomainStatus.ADDRESS),
        ("only-aaaa.example", DomainStatus.ADDRESS),
        ("null-mx.example", DomainStatus.NULL_MX),
        ("empty.example", DomainStatus.NO_RECORDS),
        ("nowhere.example", DomainStatus.NXDOMAIN),
        ("silent.example", DomainStatus.UNKNOWN),
    ],
)
def test_each_kind_of_domain(dns_checker: DomainChecker, domain: str, status: DomainStatus) -> None:
    assert dns_checker.check([domain])[domain].status is status


def test_a_timeout_is_could_not_check_not_does_not_exist(dns_checker: DomainChecker) -> None:
    answer = dns_checker.check(["silent.example"])["silent.example"]
    assert not answer.status.refuses_mail
    assert not answer.status.accepts_mail
    assert "did not answer in time" in answer.detail


def test_domains_are_looked_up_concurrently_and_once(list_dns, dns_checker) -> None:
    resolver, _ = list_dns
    silent = ["silent.example"] * 3
    started = time.monotonic()
    # Eight distinct never-answering names would take 8 times 0.5 s one after another.
    names = [f"s{i}.silent.example" for i in range(8)]
    resolver.silent.update(name + "." for name in names)
    answers = dns_checker.check([*names, *silent, "has-mx.example", "has-mx.example"])
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed
    assert {a.status for name, a in answers.items() if "silent" in name} == {DomainStatus.UNKNOWN}
    assert resolver.asked.count("has-mx.example.") == 1
    assert dns_checker.lookups == 10


def test_definite_answers_are_cached_and_timeouts_are_not(list_dns) -> None:
    resolver, port = list_dns
    cache = AnswerCache(ttl=60)
    first = DomainChecker(nameservers=["127.0.0.1"], port=port, timeout=0.5, cache=cache)
    first.check(["has-mx.example", "silent.example"])
    resolver.asked.clear()
    second = DomainChecker(nameservers=["127.0.0.1"], port=port, timeout=0.5, cache=cache)
    answers = second.check(["has-mx.example", "silent.example"])
    assert answers["has-mx.example"].status is DomainStatus.MX
    assert "has-mx.example." not in resolver.asked
    assert "silent.example." in resolver.asked


def test_list_check_settings_are_checked(settings) -> None:
    from django.core.checks import run_checks

    def ids(values: dict) -> set[str]:
        settings.SUPPRESSION = values
        return {m.id for m in run_checks() if m.id.startswith("suppression.")}

    assert ids({"LIST_CHECK_DNS_TIMEOUT_SECONDS": 0}) == {"suppression.E040"}
    assert ids({"JOBS_MODE": "rq"}) == {"suppression.E041"}
    assert ids({"LIST_CHECK_MAX_UPLOAD_BYTES": 0}) == {"suppression.E003"}
    assert ids({"JOBS_MODE": "celery", "LIST_CHECK_RETENTION_DAYS": 3}) == set()


def test_a_file_s_silent_domains_cost_one_timeout_not_one_per_chunk(
    list_dns, dns_checker, tmp_path
) -> None:
    """Ten domains that never answer, each first seen in a chunk of its own: looked up ahead of
    the check, all at once, they cost about one timeout (0.5 s), where asking chunk by chunk
    waits 0.5 s in each of the ten chunks (5 s)."""
    from suppression.listcheck.checker import Checker, Verdict
    from suppression.listcheck.csvfiles import detect
    from suppression.listcheck.run import check_file

    resolver, _ = list_dns
    names = [f"d{i}.dead.example" for i in range(10)]
    resolver.silent.update(name + "." for name in names)
    source = tmp_path / "old.csv"
    source.write_text("email\n" + "".join(f"x@{name}\n" for name in names), encoding="utf-8")
    report = tmp_path / "old.report.csv"
    started = time.monotonic()
    summary = check_file(
        source,
        detect(source),
        Checker(dns=dns_checker),
        report_path=report,
        cleaned_path=tmp_path / "old.clean.csv",
        chunk_rows=1,
    )
    elapsed = time.monotonic() - started
    assert summary.counts[Verdict.COULD_NOT_CHECK] == 10
    assert elapsed < 2.5, elapsed
    assert dns_checker.lookups == 10  # each asked once, ahead, and not again per chunk
    assert dns_checker._pool is None  # the pool stopped with the check
