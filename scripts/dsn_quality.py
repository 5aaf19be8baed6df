"""Score the DSN parser against the reference labels of the development corpus.

Usage: .venv/bin/python scripts/dsn_quality.py [CORPUS_DIR]

Prints: failed recipients found, recipients equal to Sisimai's, reason agreement under the mapping
of docs/design.md ("Reason taxonomy"), non-failures recognized, then every disagreement.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from suppression.dsn import Kind, ParseResult, parse_message  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "dsn"

# docs/design.md, last column of the reason table: Sisimai 4 reason -> (our main reason, also fair).
MAPPING: dict[str, tuple[str, frozenset[str]]] = {
    "userunknown": ("mailbox_unknown", frozenset()),
    "hasmoved": ("mailbox_unknown", frozenset()),
    "suspend": ("mailbox_unknown", frozenset({"mailbox_full"})),
    "hostunknown": ("domain_unknown", frozenset()),
    "notaccept": ("domain_unknown", frozenset({"rejected"})),
    "blocked": ("sender_blocked", frozenset({"rejected", "sender_reputation"})),
    "rejected": ("sender_blocked", frozenset({"rejected", "sender_reputation"})),
    "filtered": ("rejected", frozenset({"sender_blocked", "mailbox_unknown"})),
    "policyviolation": ("rejected", frozenset({"sender_blocked", "sender_reputation"})),
    "securityerror": ("sender_reputation", frozenset({"rejected", "sender_blocked"})),
    "norelaying": ("rejected", frozenset({"sender_blocked"})),
    "syntaxerror": ("rejected", frozenset({"sender_blocked"})),
    "mailererror": ("rejected", frozenset({"sender_blocked"})),
    "mailboxfull": ("mailbox_full", frozenset()),
    "systemerror": ("server_unavailable", frozenset()),
    "systemfull": ("server_unavailable", frozenset()),
    "toomanyconn": ("server_unavailable", frozenset({"sender_reputation"})),
    "expired": ("server_unavailable", frozenset({"dns_error", "domain_unknown"})),
    "mesgtoobig": ("message_too_large", frozenset()),
    "exceedlimit": ("message_too_large", frozenset({"mailbox_full"})),
    "spamdetected": ("spam_filtered", frozenset()),
    "virusdetected": ("spam_filtered", frozenset()),
    "contenterror": ("spam_filtered", frozenset({"rejected"})),
    "networkerror": ("dns_error", frozenset({"server_unavailable", "domain_unknown"})),
    "feedback": ("complaint", frozenset()),
}
ANYTHING_GOES = {"onhold", "undefined"}
NON_FAILURES = {"delivered", "vacation", "feedback"}
NOT_BOUNCE_PREFIXES = ("is-not-bounce-", "rb-issue-368-bug")
UNREADABLE_BY_SISIMAI = ("lhost-dragonfly-", "lhost-mimecast-01")


@dataclass
class Disagreement:
    file: str
    expected: str
    ours: str
    rule: str
    diagnostic: str


@dataclass
class Report:
    failure_files: list[str] = field(default_factory=list)
    unreadable_files: list[str] = field(default_factory=list)
    delay_files: list[str] = field(default_factory=list)  # Sisimai failure, a delay warning here
    found: list[str] = field(default_factory=list)
    recipient_equal: list[str] = field(default_factory=list)
    reason_rows: int = 0
    reason_agree: int = 0
    non_failure_files: list[str] = field(default_factory=list)
    non_failure_ok: list[str] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    results: dict[str, ParseResult] = field(default_factory=dict)
    labels: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def scored_failures(self) -> list[str]:
        return [f for f in self.failure_files if f not in self.delay_files]

    def pct(self, part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 100.0

    @property
    def found_pct(self) -> float:
        pool = self.scored_failures + self.unreadable_files
        return self.pct(len([f for f in pool if f in self.found]), len(pool))

    @property
    def recipient_pct(self) -> float:
        pool = self.scored_failures
        return self.pct(len([f for f in pool if f in self.recipient_equal]), len(pool))

    @property
    def reason_pct(self) -> float:
        return self.pct(self.reason_agree, self.reason_rows)


def load_labels(corpus: Path) -> dict[str, list[dict]]:
    labels: dict[str, list[dict]] = defaultdict(list)
    with (corpus / "labels.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            labels[row["file"]].append(row)
    return labels


def acceptable(sisimai_reason: str) -> set[str] | None:
    """Our reasons that count as agreeing; None means any reason agrees."""
    if sisimai_reason in ANYTHING_GOES:
        return None
    main, fair = MAPPING.get(sisimai_reason, ("unknown", frozenset()))
    return {main, *fair}


def evaluate(corpus: Path = DEFAULT_CORPUS) -> Report:
    labels = load_labels(corpus)
    report = Report(labels=labels)
    for file in sorted(labels):
        rows = labels[file]
        result = parse_message((corpus / file).read_bytes())
        report.results[file] = result
        reasons = {row.get("reason") for row in rows}
        failure_rows = [r for r in rows if r.get("reason") and r["reason"] not in NON_FAILURES]
        ours = {r.recipient: r for r in result.recipients}
        found = result.kind is Kind.FAILED and bool(result.recipients)
        if found:
            report.found.append(file)
        if file.startswith(UNREADABLE_BY_SISIMAI):
            report.unreadable_files.append(file)
            continue
        if file.startswith(NOT_BOUNCE_PREFIXES) or reasons & NON_FAILURES:
            report.non_failure_files.append(file)
            ok = result.kind is not Kind.FAILED
            if "feedback" in reasons:
                ok = result.kind is Kind.COMPLAINT
            if ok:
                report.non_failure_ok.append(file)
            else:
                report.disagreements.append(
                    Disagreement(
                        file,
                        f"{sorted(map(str, reasons))} (not a failure)",
                        str(result.kind),
                        "",
                        result.detail,
                    )
                )
            continue
        if not failure_rows:
            continue
        report.failure_files.append(file)
        if result.kind is Kind.DELAYED:
            report.delay_files.append(file)
            continue
        expected = set()
        for row in failure_rows:
            expected.add(row["recipient"])
            if row.get("alias"):
                expected.add(row["alias"])
        matched = (
            all(
                row["recipient"] in ours or (row.get("alias") and row["alias"] in ours)
                for row in failure_rows
            )
            and set(ours) <= expected
        )
        if matched:
            report.recipient_equal.append(file)
        for row in failure_rows:
            report.reason_rows += 1
            mine = ours.get(row["recipient"]) or ours.get(row.get("alias") or "")
            allowed = acceptable(row["reason"])
            if mine is not None and (allowed is None or str(mine.reason) in allowed):
                report.reason_agree += 1
                continue
            main = MAPPING.get(row["reason"], ("?", frozenset()))[0]
            report.disagreements.append(
                Disagreement(
                    file,
                    f"{row['reason']} -> {main} ({row['recipient']})",
                    str(mine.reason) if mine else f"{result.kind}: {sorted(ours) or 'nobody'}",
                    mine.rule if mine else "",
                    (mine.diagnostic if mine else result.detail)[:110],
                )
            )
    return report


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    report = evaluate(corpus)
    pool = report.scored_failures + report.unreadable_files
    print(f"corpus: {corpus} ({len(report.results)} messages)")
    print(
        f"failed recipients found:   {report.found_pct:6.2f}%  "
        f"({len([f for f in pool if f in report.found])}/{len(pool)}, incl. "
        f"{len(report.unreadable_files)} Sisimai can't read)"
    )
    print(
        f"recipients equal Sisimai:  {report.recipient_pct:6.2f}%  "
        f"({len([f for f in report.scored_failures if f in report.recipient_equal])}"
        f"/{len(report.scored_failures)})"
    )
    print(
        f"reason agreement:          {report.reason_pct:6.2f}%  "
        f"({report.reason_agree}/{report.reason_rows} recipients)"
    )
    feedback = [
        f
        for f in report.non_failure_files
        if any(r.get("reason") == "feedback" for r in report.labels[f])
    ]
    others = [f for f in report.non_failure_files if f not in feedback]
    print(
        "vacation/delivered/not-a-bounce recognized as not failures: "
        f"{len([f for f in others if f in report.non_failure_ok])}/{len(others)}"
    )
    print(
        "feedback reports read as complaints: "
        f"{len([f for f in feedback if f in report.non_failure_ok])}/{len(feedback)}"
    )
    print(
        f"delay warnings Sisimai counts as failures (not scored, docs/design.md): "
        f"{len(report.delay_files)}: {', '.join(report.delay_files)}"
    )
    missing = [f for f in pool if f not in report.found]
    if missing:
        print("not found: " + ", ".join(missing))
    print()
    print(f"{'file':28} {'sisimai -> mapped':48} {'ours':22} {'rule':26} diagnostic")
    for item in report.disagreements:
        print(f"{item.file:28} {item.expected:48} {item.ours:22} {item.rule:26} {item.diagnostic}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
