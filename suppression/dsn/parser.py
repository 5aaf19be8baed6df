"""parse_message: from raw bytes to a normalized ParseResult, never raising."""

from __future__ import annotations

import functools
import re
from datetime import datetime

from suppression.dsn import arf, esp, freetext, rfc3464, signals
from suppression.dsn.autoreply import is_auto_reply, person_reply_marks
from suppression.dsn.classify import SPECIFIC_STATUS, classify, status_key
from suppression.dsn.mime import (
    MimeLimitError,
    Part,
    Parts,
    header,
    headers_from_text,
    load,
    part_text,
    walk,
)
from suppression.dsn.model import FailedRecipient, Kind, ParseResult
from suppression.dsn.textutil import (
    ADDRESS_RE,
    canonical_address,
    clip,
    find_smtp_code,
    find_status,
    normalize_address,
    parse_date,
)
from suppression.taxonomy import bounce_type_for
from suppression.textsafety import cut

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_MESSAGE_ID = 998  # the longest line RFC 5322 allows
# X-Kwiga-School and -Stream: longer than any slug, so that an over-long value names no school
# rather than, cut short, the wrong one.
MAX_FACT = 200
_VALID_STATUS_RE = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")
# Words some ESPs and gateways write for a failure instead of RFC 3464's "failed".
_FAILED_ACTIONS = (
    "failed",
    "failure",
    "",
    "expired",
    "bounced",
    "bounce",
    "rejected",
    "undeliverable",
    "dropped",
)
_DELIVERED_ACTIONS = ("delivered", "relayed", "expanded", "deliverable")
_KWIGA_RE = {
    name: re.compile(rf"^{name}:[ \t]*(\S[^\r\n]{{0,200}})", re.IGNORECASE | re.MULTILINE)
    for name in ("X-Kwiga-School", "X-Kwiga-Stream", "Message-ID")
}
_REMOTE_HOST_RE = re.compile(  # over lowercased text: faster than re.IGNORECASE
    r"(?:host|server|mx)[: ]+<?([a-z0-9][a-z0-9.-]{1,200}\.[a-z]{2,24})\b"
)


def parse_message(raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseResult:
    """Read one bounce, complaint or other message; bad input gives UNPARSEABLE, never raises."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        return _unparseable(f"expected bytes, got {type(raw).__name__}")
    if len(raw) > max_bytes:
        return _unparseable(f"message is {len(raw)} bytes, over the {max_bytes}-byte limit")
    if not bytes(raw[:65536]).strip():
        return _unparseable("empty message")
    try:
        return _parse(bytes(raw))
    except MimeLimitError as exc:
        return _unparseable(f"refused: {exc}")
    except (Exception, RecursionError) as exc:  # the last line of defence; causes get fixed
        return _unparseable(f"parser error: {type(exc).__name__}: {str(exc)[:200]}")


def _unparseable(detail: str, bounce_id: str = "") -> ParseResult:
    return ParseResult(Kind.UNPARSEABLE, (), "", "", "", detail, bounce_id)


def _message_id(value: str) -> str:
    # The bounce's own id only tells messages apart (it keys deduplication): never shown.
    return value.strip().strip("<>").strip()[:255]


def _original_id(value: str) -> str:
    """The returned message's Message-ID; as long as the column holds, a longer one marked cut."""
    return cut(value.strip().strip("<>").strip(), MAX_MESSAGE_ID)


class _Context:
    """What every branch needs: the message, its parts and the facts about the original."""

    def __init__(self, msg: Part, parts: Parts) -> None:
        self.msg = msg
        self.parts = parts
        self.bounce_id = _message_id(header(msg, "Message-ID"))
        self.originals = [_returned_message(part) for part in parts.originals]
        self.date = parse_date(header(msg, "Date"))
        if parts.texts:
            parts.texts[0] = freetext.unquote_forwarded(parts.texts[0])
        first_text = parts.texts[0] if parts.texts else ""
        self.notice, self.inline_original = freetext.split_original(first_text)
        self.original_id, self.school, self.stream = self._original_facts()

    def _original_facts(self) -> tuple[str, str, str]:
        originals = list(self.originals)
        if self.inline_original.strip():
            text = self.inline_original.lstrip("\r\n")[:65536]
            originals.append(headers_from_text(text))
        found = {"Message-ID": "", "X-Kwiga-School": "", "X-Kwiga-Stream": ""}
        for original in originals:
            for name in found:
                if not found[name]:
                    found[name] = header(original, name).strip()
        texts = [self.inline_original, *self.parts.other_texts, *self.parts.texts[1:]]
        for name, pattern in _KWIGA_RE.items():
            if found[name]:
                continue
            for text in texts:
                if name != "Message-ID" and "wiga-" not in text and "WIGA-" not in text:
                    continue
                match = pattern.search(text[:65536])
                if match:
                    found[name] = match.group(1).strip()
                    break
        return (
            _original_id(found["Message-ID"]),
            cut(found["X-Kwiga-School"], MAX_FACT),
            cut(found["X-Kwiga-Stream"], MAX_FACT).lower(),
        )

    def result(
        self, kind: Kind, recipients: list[FailedRecipient] | tuple[()] = (), detail: str = ""
    ) -> ParseResult:
        return ParseResult(
            kind=kind,
            recipients=tuple(recipients),
            original_message_id=self.original_id,
            school=self.school,
            stream=self.stream,
            detail=detail,
            bounce_message_id=self.bounce_id,
        )

    @functools.cached_property
    def named(self) -> list[freetext.TextRecipient]:
        """The recipients the notice names; asked for up to twice per message, read once."""
        return freetext.extract(self.notice, self.exclude())

    def exclude(self) -> set[str]:
        """Addresses that are the bounce's own or the original sender's, never the recipient."""
        names = ("From", "To", "Cc", "Reply-To", "Return-Path", "Sender", "Delivered-To")
        found: set[str] = set()
        sources = [self.msg, *self.originals[:1]]
        for index, source in enumerate(sources):
            for name in names:
                if index > 0 and name in ("To", "Cc", "Delivered-To"):
                    continue
                for match in ADDRESS_RE.finditer(header(source, name)[:2000]):
                    found.add(canonical_address(match.group(0)))
        return found


_ORIGINAL_TYPES = ("message/rfc822", "message/global")
_HEADER_TYPES = ("text/rfc822-headers", "text/global-headers", "message/global-headers")


def _returned_message(part: Part, depth: int = 0) -> Part:
    """The message a report returns: a gateway may attach the whole bounce, which holds it."""
    if depth > 3 or part.get_content_type() != "multipart/report" or not part.children:
        return part
    for child in part.children:
        ctype = child.get_content_type()
        if ctype in _ORIGINAL_TYPES and child.children:
            return child.children[0]
        if ctype in _HEADER_TYPES:
            return headers_from_text(part_text(child))
        if ctype.startswith("multipart/") and child.children:
            inner = _returned_message(child, depth + 1)
            if inner is not child:
                return inner
    return part


def _parse(raw: bytes, depth: int = 0) -> ParseResult:
    msg = load(raw)
    parts = walk(msg)
    ctx = _Context(msg, parts)

    if parts.feedback_reports:
        kind_of_report = arf.feedback_type(parts.feedback_reports[0])
        if kind_of_report in arf.NOT_COMPLAINTS:
            return ctx.result(
                Kind.NOT_A_BOUNCE,
                detail=f"feedback report of type {kind_of_report}, not a complaint",
            )
        recipients = arf.complaint_recipients(parts.feedback_reports[0], parts.originals, ctx.date)
        if recipients:
            return ctx.result(Kind.COMPLAINT, recipients)
        return ctx.result(Kind.UNPARSEABLE, detail="feedback report names no recipient")
    if parts.originals and parts.originals[0].get(arf.JMRP_HEADER) is not None:
        recipients = arf.jmrp_recipients(parts.originals, ctx.date)
        if recipients:
            return ctx.result(Kind.COMPLAINT, recipients)

    records: list[rfc3464.DsnRecord] = []
    for text in parts.delivery_status:
        records.extend(rfc3464.parse(text))
    if records:
        return _from_dsn(ctx, records)

    for text in parts.texts[:2]:
        data = esp.find_json(text)
        if data is not None:
            return _from_esp_json(ctx, data)

    ours = bool(ctx.school or ctx.stream)  # the returned message carries our X-Kwiga-* headers
    person = signals.written_by_a_person(msg)
    if ours and not person and not signals.is_delivery_system(msg):
        # A feedback loop older than ARF: a complaint in words about our attached message.
        recipients = arf.worded_complaint_recipients(ctx.notice, ctx.originals, ctx.date)
        if recipients:
            return ctx.result(Kind.COMPLAINT, recipients)
    if person == "forward" and not ours:
        if parts.nested_delivery_status or signals.forwards_a_bounce(parts.texts):
            # Someone forwarding a bounce of mail that is not visibly ours (their own, most
            # likely): recording it could suppress an address we never wrote to. Kept for
            # support to read.
            return ctx.result(
                Kind.UNPARSEABLE,
                detail="a bounce forwarded by a person, of a message without our X-Kwiga headers",
            )
        return ctx.result(Kind.NOT_A_BOUNCE, detail="a message forwarded by a person")
    if person in ("reply", "list"):
        if is_auto_reply(msg, ctx.notice):
            return ctx.result(Kind.AUTO_REPLY, detail="automatic reply")
        what = "a reply" if person == "reply" else "a mailing-list or bulk message"
        return ctx.result(
            Kind.NOT_A_BOUNCE, detail=f"{what} from a person or a sender, not a bounce"
        )

    if not records:
        for text in parts.texts[:3]:
            if rfc3464.looks_like_dsn_text(text):
                records.extend(rfc3464.parse(text))
    if not records and not ctx.named:
        # A gateway that wraps the real bounce in its own empty notice.
        for text in parts.nested_delivery_status[:4]:
            records.extend(rfc3464.parse(text))
    if records:
        return _from_dsn(ctx, records)

    if depth == 0 and not signals.sender_is_daemon(msg):
        inner = _forwarded_inline(ctx)
        if inner is not None:
            return inner
    if signals.is_delivery_receipt(msg, ctx.notice):
        return ctx.result(Kind.DELIVERED, detail="a delivery receipt in words")
    if signals.notice_about_our_mailbox(msg, ctx.notice):
        return ctx.result(
            Kind.NOT_A_BOUNCE, detail="a notice about the receiving mailbox (quota, quarantine)"
        )
    if signals.looks_like_bounce(msg, ctx.notice):
        return _from_text(ctx, depth)
    if is_auto_reply(msg, ctx.notice):
        return ctx.result(Kind.AUTO_REPLY, detail="automatic reply")
    return ctx.result(Kind.NOT_A_BOUNCE, detail="no delivery report, complaint or bounce text")


def _forwarded_inline(ctx: _Context) -> ParseResult | None:
    """A bounce pasted whole, headers and all, under a relay's one-line note: read it as itself."""
    text = ctx.inline_original.lstrip("\r\n")
    if not text or len(ctx.notice) > 2000:
        return None
    pasted = headers_from_text(text)
    if pasted.get("x-kwiga-school") is not None or pasted.get("x-kwiga-stream") is not None:
        return None  # our own original, quoted under a bounce: not a bounce itself
    null_sender = signals.is_null_reverse_path(header(pasted, "Return-Path"))
    if not (null_sender or pasted.get("x-failed-recipients") is not None):
        return None
    inner = _parse(text.encode("utf-8", "replace"), depth=1)
    if inner.kind not in (Kind.FAILED, Kind.DELAYED):
        return None
    automatic = header(ctx.msg, "Auto-Submitted").strip().lower().startswith("auto-")
    if not automatic and not (inner.school or inner.stream):
        return None  # pasted by a person, about mail that is not visibly ours
    return inner


def _build(
    ctx: _Context,
    *,
    recipient: str,
    original: str,
    status: str,
    smtp_code: str,
    diagnostic: str,
    texts: tuple[str, ...],
    action: str,
    remote_mta: str,
    occurred_at: datetime | None,
) -> FailedRecipient:
    if not _VALID_STATUS_RE.match(status):
        status = ""
    found = find_status(diagnostic)
    # The code in the server's own reply beats the reporting MTA's Status field, which is often a
    # catch-all or its own translation, as long as both agree on permanent versus temporary.
    if found and (not status or found[0] == status[0]):
        status = found
    smtp_code = smtp_code or find_smtp_code(diagnostic)
    reason, rule = classify(status, smtp_code, *texts)
    return FailedRecipient(
        recipient=recipient,
        original_recipient=original,
        reason=reason,
        type=bounce_type_for(reason, status, smtp_code),
        status=status,
        smtp_code=smtp_code,
        diagnostic=clip(diagnostic),
        action=action or "failed",
        remote_mta=remote_mta,
        rule=rule,
        occurred_at=occurred_at or ctx.date,
    )


def _from_dsn(ctx: _Context, records: list[rfc3464.DsnRecord]) -> ParseResult:
    failed, delayed, delivered = [], [], []
    for record in records:
        action = record.action
        if action in _DELIVERED_ACTIONS or (not action and record.status.startswith("2")):
            delivered.append(record)
        elif action == "delayed":
            delayed.append(record)
        elif action in _FAILED_ACTIONS or record.status[:1] in ("4", "5"):
            failed.append(record)
        else:
            delivered.append(record)
    if not failed:
        if delayed:
            return ctx.result(Kind.DELAYED, detail="delivery delayed, not failed (Action: delayed)")
        return ctx.result(Kind.DELIVERED, detail="delivery or relay report")
    blocks: dict[str, freetext.TextRecipient] | None = None
    built = []
    seen = set()
    for record in failed:
        if record.recipient in seen:
            continue
        seen.add(record.recipient)
        build = functools.partial(
            _build,
            ctx,
            recipient=record.recipient,
            original=record.original_recipient,
            status=record.status,
            smtp_code="",
            action=record.action or "failed",
            remote_mta=record.remote_mta,
            # The failure's own time, else the bounce's Date; Arrival-Date can be days earlier.
            occurred_at=record.occurred_at or ctx.date or record.arrival_at,
        )
        if record.diagnostic:
            item = build(diagnostic=record.diagnostic, texts=(record.diagnostic,))
            if item.rule.startswith("phrase:") or _is_specific(item.status, item.rule):
                built.append(item)
                continue
        if blocks is None:
            # The notice often has the server's full reply when the DSN fields are terse.
            blocks = {item.recipient: item for item in freetext.extract(ctx.notice, set())}
        block = blocks.get(record.recipient) or blocks.get(record.original_recipient)
        block_text = block.block if block else ""
        diagnostic = record.diagnostic or (block.diagnostic if block else "")
        texts = (diagnostic, block_text) if record.diagnostic else (block_text,)
        built.append(build(diagnostic=diagnostic, texts=texts))
    return ctx.result(Kind.FAILED, built)


def _is_specific(status: str, rule: str) -> bool:
    return rule == f"status:{status}" and status_key(status) in SPECIFIC_STATUS


def _from_text(ctx: _Context, depth: int = 0) -> ParseResult:
    if signals.is_delay_warning(ctx.msg, ctx.notice):
        return ctx.result(Kind.DELAYED, detail="delay warning, not a failure")
    exclude = ctx.exclude()
    found = ctx.named
    failed_header = header(ctx.msg, "X-Failed-Recipients")
    listed = [canonical_address(m.group(0)) for m in ADDRESS_RE.finditer(failed_header[:20000])]
    listed = listed[:200]
    if listed:
        by_address = {item.recipient: item for item in found}
        found = [
            by_address.get(a) or freetext.TextRecipient(a, "", "", "", ctx.notice) for a in listed
        ]
    if not listed:
        # "Questions? help@...": a role address with no server reply of its own is a contact line.
        found = [item for item in found if item.status or item.smtp_code or not _is_role(item)]
    if not found and depth == 0:
        inner = _attached_bounce(ctx)
        if inner is not None:
            return inner
    if not found:
        fallback = _original_recipients(ctx)
        found = [freetext.TextRecipient(a, "", "", "", ctx.notice) for a in fallback]
    if not found:
        # "failure notice for x@example.net": some notices name the recipient only up there.
        subject_found = freetext.extract(header(ctx.msg, "Subject")[:300], exclude)
        found = [
            freetext.TextRecipient(item.recipient, "", "", "", ctx.notice) for item in subject_found
        ][:5]
    if not found:
        found = [
            freetext.TextRecipient(address, "", "", "", ctx.notice)
            for address in _bare_recipients(ctx)
        ]
    if not found:
        return ctx.result(Kind.UNPARSEABLE, detail="bounce text names no recipient")
    subject = header(ctx.msg, "Subject")
    built = []
    for item in found:
        diagnostic = item.diagnostic or clip(ctx.notice)
        remote = _REMOTE_HOST_RE.search(item.block[:4000].lower())
        built.append(
            _build(
                ctx,
                recipient=item.recipient,
                original=item.original if item.original != item.recipient else "",
                status=item.status,
                smtp_code=item.smtp_code,
                diagnostic=diagnostic,
                texts=(item.block, ctx.notice if len(found) == 1 else "", subject),
                action="failed",
                remote_mta=remote.group(1) if remote else "",
                occurred_at=None,
            )
        )
    if _auto_reply_without_failure_fields(ctx, built, bool(listed)):
        return ctx.result(
            Kind.AUTO_REPLY,
            detail="automatic reply (Auto-Submitted) with no status code or failure header",
        )
    return ctx.result(Kind.FAILED, built)


def _attached_bounce(ctx: _Context) -> ParseResult | None:
    """A relay's notice that names nobody and attaches the real bounce whole, a mail system's
    own message: that one is read (the attachment's To is the bounce address, no recipient)."""
    if not ctx.originals or not signals.sender_is_daemon(ctx.originals[0]):
        return None
    part = ctx.originals[0]
    head = "\n".join(f"{name}: {value}" for name, value in part.headers)
    inner = _parse(head.encode("utf-8", "replace") + b"\n\n" + part.body, depth=1)
    return inner if inner.kind is Kind.FAILED else None


def _bare_recipients(ctx: _Context) -> list[str]:
    """A mail system's notice that names its users by local part alone ("joeuser77", AOL's
    screen names): they are addresses at the domain the notice comes from."""
    if not signals.is_delivery_system(ctx.msg):
        return []
    sender = ADDRESS_RE.search(header(ctx.msg, "From")[:300])
    if sender is None:
        return []
    domain = canonical_address(sender.group(0)).rpartition("@")[2]
    names = freetext.bare_local_parts(ctx.notice)
    return [f"{name}@{domain}" for name in names if normalize_address(f"{name}@{domain}")][:5]


def _is_role(item: freetext.TextRecipient) -> bool:
    return bool(freetext.ROLE_ADDRESS_RE.match(item.recipient))


def _auto_reply_without_failure_fields(
    ctx: _Context, built: list[FailedRecipient], listed: bool
) -> bool:
    """A message marked RFC 3834 auto-replied is a bounce only with machine evidence of one.

    MTAs that mark their bounces "Auto-Submitted: auto-replied" (Exim, Postfix, Google, mail.ru)
    also give X-Failed-Recipients, a delivery-status part or the server's reply code. A notice
    with the marker and none of those is an auto-responder's prose ("my mailbox is full, resend
    later"), and prose alone must not count toward suppressing an address.
    """
    if listed or ctx.parts.delivery_status:
        return False
    if not header(ctx.msg, "Auto-Submitted").strip().lower().startswith("auto-replied"):
        return False
    if any(item.status or item.smtp_code for item in built):
        return False
    # The marker is shared by MTAs and responders: an auto-reply needs a mark of its own (a
    # responder's header, an out-of-office subject or words), or a sender other than the MTA
    # itself. Postmaster is a role mailbox that people and responders answer from too; only
    # mailer-daemon / "Mail Delivery System", or a provider's no-reply robot, is never a person.
    if person_reply_marks(ctx.msg, ctx.notice):
        return True
    return not (signals.is_delivery_system(ctx.msg) or signals.sent_by_a_robot(ctx.msg))


def _original_recipients(ctx: _Context) -> list[str]:
    """The original's To when the notice names nobody (some notices only quote the original)."""
    sources: list[Part] = list(ctx.originals[:1])
    if ctx.inline_original.strip():
        text = ctx.inline_original.lstrip("\r\n")[:65536]
        sources.append(headers_from_text(text))
    for source in sources:
        addresses = []
        for match in ADDRESS_RE.finditer(header(source, "To")[:4000]):
            address = normalize_address(match.group(0))
            if address and address not in addresses:
                addresses.append(address)
        if addresses and len(addresses) <= 5:
            return addresses
    return []


def _from_esp_json(ctx: _Context, data: dict) -> ParseResult:
    event = esp.read_event(data)
    ctx.original_id = ctx.original_id or _original_id(event.headers.get("message-id", ""))
    ctx.school = ctx.school or cut(event.headers.get("x-kwiga-school", ""), MAX_FACT)
    ctx.stream = ctx.stream or cut(event.headers.get("x-kwiga-stream", ""), MAX_FACT).lower()
    built = []
    for item in event.recipients:
        address = normalize_address(item.address)
        if not address:
            continue
        if event.kind == "complaint":
            built.append(
                FailedRecipient.complaint(
                    address,
                    feedback_type=event.feedback_type,
                    rule=f"arf:{event.feedback_type}",
                    occurred_at=event.occurred_at or ctx.date,
                )
            )
            continue
        built.append(
            _build(
                ctx,
                recipient=address,
                original="",
                status=item.status,
                smtp_code="",
                diagnostic=item.diagnostic,
                texts=(item.diagnostic, event.subtype),
                action=item.action,
                remote_mta=event.remote_mta,
                occurred_at=event.occurred_at,
            )
        )
    if event.kind in ("bounce", "complaint"):
        if built:
            return ctx.result(Kind.FAILED if event.kind == "bounce" else Kind.COMPLAINT, built)
        return ctx.result(Kind.UNPARSEABLE, detail=f"SES {event.kind} without recipients")
    if event.kind in ("delivery", "send", "open", "click"):
        return ctx.result(Kind.DELIVERED, detail=f"SES {event.kind} notification")
    if event.kind == "deliverydelay":
        return ctx.result(Kind.DELAYED, detail="SES delivery delay notification")
    return ctx.result(Kind.NOT_A_BOUNCE, detail=f"SES notification of type {event.kind or '?'}")
