"""Bounces that are not RFC 3464: the failed recipients and their diagnostics in human text.

Every MTA words its bounce differently, but they share a shape: a notice, the failed addresses
each followed by the remote server's reply, then a copy of the original message behind a marker
line. The rules below are about that shape, not about one MTA's template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from suppression.dsn.textutil import (
    ADDRESS_RE,
    canonical_address,
    collapse,
    find_smtp_code,
    find_status,
    lower_same_length,
)

MAX_BOUNCE_TEXT = 32 * 1024
MAX_RECIPIENTS = 200

# Lines that introduce the copy of the original message. Matched line by line, and only on lines
# holding one of the cue words, because a multiline search over whole bodies is slow.
# These two and _HEADER_BLOCK_RE run over lowercased text (lower_same_length), without re.I.
# The words that may be on a marker line. Looked for one by one with str.find: a regex of their
# alternation tries every position of the text (many of their first letters are common).
_MARKER_CUES = (
    "original", "unsent", "returned", "copy", "header", "follow", "below", "bounced", "kopie",
    "copie", "en-tete", "en-tête", "копия",
)  # fmt: skip
_ORIGINAL_MARKER_RE = re.compile(  # used with match(text, line_start, line_end)
    r"[\s\-=#*_>]*(?:"
    r"(?:-{2,}|={2,}|_{2,}).{0,40}(?:original|returned|unsent|rejected|undelivered|attached|copy"
    r"|header|received)\b.{0,60}"
    r"|.{0,40}(?:original message|unsent message|returned message|message headers|headers of the"
    r" original|header of the original|copy of (?:the|your) (?:original )?message|original mail"
    r"|copy of the message|original e-?mail|bounced e-?mail)"
    # a colon ends the line; "received on Tue, 14 May 2024 09:00:00" is not a marker
    r"(?:.{0,60}(?:follows?|below|-{2,}|is following|attached).{0,20}|.{0,60}:)"
    r"|(?:original message|message headers) follow\.?"
    r"|below (?:this line )?is (?:a )?copy of .{0,40}"
    r"|(?:-{2,}|={2,}|_{2,}).{0,40}(?:kopie der nachricht|copie (?:du|des)|en-t[eê]tes? d[ue]"
    r"|копия (?:исходного )?(?:письма|сообщения)|заголовки (?:исходного )?(?:письма|сообщения))"
    r".{0,60}"
    r")\s*$",
)
# A header block start inside text: the original message pasted without a marker.
_HEADER_BLOCK_RE = re.compile(
    r"^(?:return-path|received|message-id|dkim-signature|x-[\w-]{1,40}):[ \t]", re.MULTILINE
)
# The same after a line end: a literal first character lets the engine skip ahead to each "\n".
_HEADER_BLOCK_AFTER_NEWLINE_RE = re.compile(
    r"\n(?:return-path|received|message-id|dkim-signature|x-[\w-]{1,40}):[ \t]"
)
_FIELD_LINE_RE = re.compile(r"^[\w-]{2,40}:[ \t]", re.MULTILINE)
_SKIP_LINE_RE = re.compile(
    r"^\s*(?:from|to|cc|bcc|reply-to|sender|return-path|message-id|in-reply-to|references|date|subject"
    r"|x-[\w-]+|received|dkim-signature|envelope-from|mail from|(?:original )?sender(?: address)?"
    r"|absender|exp[ée]diteur|отправитель)\s*:",
    re.IGNORECASE,
)
# Words that introduce the sender's address right before it.
_SENDER_CUE_RE = re.compile(
    r"(?:(?<!generated )\bfrom|\bsent by|\bsender|\breply-to|\bmail from|\bfrom address)"
    r"(?: address| e-?mail)?:?[ \t]*[<(\[\"']?[ \t]*$",
    re.IGNORECASE,
)
# Words that introduce an address to write to for help, right before it on the same line.
_ADVICE_CUE_RE = re.compile(
    r"(?:\bcontact|\bwrite to|\bsend (?:an? )?(?:e-?mail|mail|message|note) to|\be-?mail us at"
    r"|\breach us at|\bquestions\b|\bhelp\b|\bhelpdesk|\bassistance|\bforward (?:this|it) to"
    r"|\breport (?:this|it|abuse) to)[^@\n]{0,40}$",
    re.IGNORECASE,
)
# Words right after an address that make it the sender's: Postfix's "<news@...>: Sender address
# rejected: Domain not found", sendmail's "<news@...>... Sender domain must exist".
_SENDER_AFTER_RE = re.compile(
    r"[>\]]?(?::|\.\.\.)?[ \t]*(?:sender (?:address |domain )?(?:rejected|refused|denied|unknown"
    r"|not|must|is|blocked)|sender address|mail from\b)",
    re.IGNORECASE,
)
_URLISH_RE = re.compile(r"(?:https?://|www\.)\S{0,300}", re.IGNORECASE)
ROLE_ADDRESS_RE = re.compile(
    r"^(?:postmaster|abuse|hostmaster|webmaster|support|help|noreply|no-reply)@|-(?:ctl|request"
    r"|owner|help|admin)@",
    re.IGNORECASE,
)
_SELF_ADDRESS_RE = re.compile(r"^(?:mailer-daemon|mailerdaemon|mail-daemon|double-bounce)@", re.I)


@dataclass
class TextRecipient:
    recipient: str
    status: str
    smtp_code: str
    diagnostic: str
    block: str  # the text that speaks of this recipient, for classification
    original: str = ""  # the address the sender used, when aliasing led to this one


def split_original(text: str) -> tuple[str, str]:
    """The bounce notice and the copy of the original message that follows it (maybe "")."""
    text = text[:MAX_BOUNCE_TEXT]
    lowered = lower_same_length(text)
    # Every line holding a cue, first line first (no cue holds a line end, so the lines with an
    # occurrence are the lines a regex of the cues would find).
    cues: list[int] = []
    for word in _MARKER_CUES:
        pos = lowered.find(word)
        while pos >= 0:
            cues.append(pos)
            pos = lowered.find(word, pos + 1)
    cues.sort()
    tried = -1  # the line already tried: two cues on one line ("original ... follows") try it once
    for pos in cues:
        start = lowered.rfind("\n", 0, pos) + 1
        if start == tried:
            continue
        tried = start
        end = lowered.find("\n", pos)
        end = len(lowered) if end < 0 else end
        if start > 0 and end - start < 200 and _ORIGINAL_MARKER_RE.match(lowered, start, end):
            return text[:start], text[end + 1 :]
    # No marker: an original pasted directly after the notice starts with a run of headers. A
    # block at the very start is not one, but counts among the 21 tried.
    first = 1 if _HEADER_BLOCK_RE.match(lowered) else 0
    for index, header_match in enumerate(_HEADER_BLOCK_AFTER_NEWLINE_RE.finditer(lowered), first):
        if index > 20:
            break
        start = header_match.start() + 1
        if len(_FIELD_LINE_RE.findall(text, start, start + 600)) >= 3:
            return text[:start], text[start:]
    return text, ""


_QUOTED_RE = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)


def unquote_forwarded(text: str) -> str:
    """A bounce forwarded by a person comes quoted with "> "; read it unquoted."""
    head = text[:MAX_BOUNCE_TEXT]
    if head.count(">") < 3:
        # At most 2 quoted lines: fewer than 60% of the 5 or more lines needed. Most notices.
        return text
    lines = [line for line in head.splitlines() if line.strip()]
    if len(lines) < 5:
        return text
    quoted = sum(1 for line in lines if line.lstrip().startswith(">"))
    if quoted * 10 < len(lines) * 6:
        return text
    return _QUOTED_RE.sub("", head)


def _line_addresses(line: str) -> list[str]:
    if "@" not in line or _SKIP_LINE_RE.match(line):
        return []
    line = _URLISH_RE.sub(" ", line)
    found = []
    for match in ADDRESS_RE.finditer(line):
        before = line[max(0, match.start() - 1) : match.start()]
        if before in ("=", "/", "?", "&", ".", "+"):
            continue
        if _SENDER_CUE_RE.search(line, max(0, match.start() - 30), match.start()):
            continue  # "your message from news@...", "Sent from: ...": the sender, not a recipient
        if _SENDER_AFTER_RE.match(line, match.end()):
            continue  # "<news@...>: Sender address rejected": the sender again
        if _ADVICE_CUE_RE.search(line, max(0, match.start() - 60), match.start()):
            continue  # "for help, contact mailadmin@...": advice in the notice, not a recipient
        address = canonical_address(match.group(0))
        if _SELF_ADDRESS_RE.match(address):
            continue
        found.append(address)
    return found


# Exim: "  forwarded@elsewhere.example\n    (generated from student@school.example)".
_GENERATED_RE = re.compile(
    r"^\s*\(?generated (?:from|by) <?([^\s<>()@]{1,64}@[^\s<>()@]{1,255}?)>?\)?\s*$"
)


def extract(notice: str, exclude: set[str]) -> list[TextRecipient]:
    """Failed recipients named in a bounce notice, each with the text that concerns it."""
    lines = notice.splitlines()
    mentions: list[tuple[int, str]] = []  # (line index, address)
    order: list[str] = []
    originals: dict[str, str] = {}
    for index, line in enumerate(lines):
        generated = _GENERATED_RE.match(line) if "generated" in line else None
        if generated and mentions:
            # The address the sender used, which aliasing turned into the one above.
            originals.setdefault(mentions[-1][1], generated.group(1).lower().rstrip("."))
            continue
        for address in _line_addresses(line):
            if address in exclude:
                continue
            mentions.append((index, address))
            if address not in order:
                order.append(address)
                if len(order) >= MAX_RECIPIENTS:
                    break
        if len(order) >= MAX_RECIPIENTS:
            break
    if not order:
        return []
    # "please contact postmaster@..." is advice, not a failed recipient, when others are named.
    named = [a for a in order if not ROLE_ADDRESS_RE.match(a)]
    if named and len(named) < len(order):
        order = named
        mentions = [(i, a) for i, a in mentions if a in named]
    blocks: dict[str, list[str]] = {address: [] for address in order}
    if len(order) == 1:
        first = mentions[0][0]
        blocks[order[0]] = lines[first:]
    else:
        # A recipient owns the lines from each line naming it to the next line naming another.
        owner = ""
        worded: dict[str, list[str]] = {address: [] for address in order}
        for index, line in enumerate(lines):
            named = [a for i, a in mentions if i == index]
            if named and owner not in named:
                owner = named[0]
            if owner:
                blocks[owner].append(line)
                if _has_words(line):
                    worded[owner].append(line)
        # A list of recipients, then one reason for them all ("Delivery failed for the following
        # recipients: a, b. Reason: No such user."): a recipient whose lines say nothing but
        # its address shares the words of the next recipient that has some.
        following: list[str] = []
        for address in reversed(order):
            if worded[address]:
                following = worded[address]
            elif following:
                blocks[address].extend(following)
    result = []
    for address in order:
        block = "\n".join(blocks[address])
        item = _recipient(address, block)
        item.original = originals.get(address, "")
        result.append(item)
    return result


_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def _has_words(line: str) -> bool:
    """Does the line say something besides the addresses on it?"""
    return _WORD_RE.search(ADDRESS_RE.sub(" ", line) if "@" in line else line) is not None


def _recipient(address: str, block: str) -> TextRecipient:
    status = find_status(block)
    smtp_code = find_smtp_code(block)
    return TextRecipient(
        recipient=address,
        status=status,
        smtp_code=smtp_code,
        diagnostic=_diagnostic(address, block),
        block=block,
    )


_BOILERPLATE_RE = re.compile(
    r"^\s*(?:-{3,}.*|\*{3,}.*|={3,}.*|#{3,}.*|.*transcript of session.*|.*following address.*"
    r"|.*permanent fatal errors.*|.*technical details.*|.*the error that the other server returned"
    r".*|original-recipient:.*|final-recipient:.*|action:.*|status:.*|reporting-mta:.*)\s*$",
    re.IGNORECASE,
)
_BOILERPLATE_CUES = (
    "---",
    "***",
    "===",
    "###",
    "transcript",
    "following address",
    "fatal error",
    "technical details",
    "other server returned",
    "recipient:",
    "action:",
    "status:",
    "reporting-mta:",
)


def _looks_boilerplate(line: str) -> bool:
    lowered = line.lower()
    return any(cue in lowered for cue in _BOILERPLATE_CUES) and bool(_BOILERPLATE_RE.match(line))


_REPLY_LINE_RE = re.compile(r"(?:^|\s|<<<\s?|said:\s?|:\s)[45]\d\d[\s\-:]|#?[45]\.\d{1,3}\.\d{1,3}")


_CODE_START_RE = re.compile(r"(?<![\w.#-])[45]\d\d(?=[\s\-:])")


def _diagnostic(address: str, block: str) -> str:
    """The server's words for this recipient: from its first reply line, else the block."""
    lines = [line for line in block.splitlines() if line.strip()][:40]
    lines = [line for line in lines if not _looks_boilerplate(line)]
    for index, line in enumerate(lines):
        if _REPLY_LINE_RE.search(line):
            # Start at the reply code: "host mx said: 550 ..." keeps only the server's words.
            code = _CODE_START_RE.search(line)
            first = line[code.start() :] if code else line
            end = index + 8
            if code is not None:
                # A multi-line reply ("550-5.7.1 ..." on every line) is kept whole, however
                # many lines the server wrote: its last lines often say the most.
                prefix = code.group(0)
                while end < len(lines) and lines[end].lstrip().startswith(prefix):
                    end += 1
            text = collapse(" ".join([first, *lines[index + 1 : end]]))
            return text[:1000]
    text = collapse(" ".join(lines[:8]))
    return text[:1000]


# Old notices (AOL's, sendmail's for local users) name a recipient by its local part alone: a
# screen name on its own line under "the following recipients", or "joeuser... User unknown".
_BARE_CUE_RE = re.compile(
    r"(?:following|these) (?:recipients?|addresses|address|users?|screen ?names?)"
    r"|could not be delivered (?:to|because)|permanent fatal errors"
)
_BARE_LINE_RE = re.compile(r"^[ \t]*<?([a-z0-9][a-z0-9._-]{1,63})>?[ \t]*$")
_BARE_SENDMAIL_RE = re.compile(r"^[ \t]*(?:[45]\d\d )?<?([a-z0-9][a-z0-9._-]{1,63})>?\.\.\. ", re.M)


def bare_local_parts(notice: str) -> list[str]:
    """Local parts a notice names without a domain, in order; [] when it names none."""
    lowered = notice[:MAX_BOUNCE_TEXT].lower()
    found: list[str] = []
    lines = lowered.splitlines()
    for index, line in enumerate(lines):
        if not _BARE_CUE_RE.search(line):
            continue
        in_sentence = not lines[index].rstrip().endswith(":")  # the cue's sentence goes on
        for follower in lines[index + 1 : index + 12]:
            if not follower.strip():
                if found:
                    break
                in_sentence = False
                continue
            if in_sentence:
                in_sentence = not follower.rstrip().endswith(":")
                continue
            match = _BARE_LINE_RE.match(follower)
            if match is None:
                break
            if match.group(1) not in found:
                found.append(match.group(1))
        if found:
            return found[:MAX_RECIPIENTS]
    for match in _BARE_SENDMAIL_RE.finditer(lowered):
        if match.group(1) not in found:
            found.append(match.group(1))
    return found[:MAX_RECIPIENTS]
