"""Whether a message that is not a standard DSN is a bounce at all, and whether it is a warning."""

from __future__ import annotations

import re

from suppression.dsn.classify import quotes_permanent_reply
from suppression.dsn.mime import Part, header
from suppression.dsn.phrases import ScreenedRegex
from suppression.dsn.textutil import find_smtp_code, find_status

# All patterns here are lowercase and run over lowercased text: case-sensitive matching of long
# alternations is several times faster than re.IGNORECASE.

# A delivery system's display name ("Mail Delivery System", "System Administrator") ...
_DAEMON_RE = re.compile(
    r"mailer[-_ ]?daemon|\bmail delivery (?:system|subsystem"
    r"|service|software|agent)|\bdelivery (?:system|subsystem)|mail\.delivery|\bmta\b"
    r"|double-bounce|^\W*mail administrator|^\W*system administrator",
)
# ... and its address: the local part is the whole name ("postmaster-noreply@" is a newsletter).
_DAEMON_ADDRESS_RE = re.compile(
    r"^(?:mailer[-_.]?daemon|postmaster|post_master|mail[-_.]?daemon|mdaemon|double-bounce"
    r"|mail[-_.]?delivery(?:[-_.]?system)?|mailer|bounces?|nobody)(?:[@+]|$)"
)
_SUBJECT_RE = re.compile(
    r"undeliver|undelivered|returned mail|return(?:ed|ing) message|delivery (?:status|failure"
    r"|failed"
    r"|problem|notification|report|error)|failure notice|mail delivery|non.?deliver|not delivered"
    r"|could not be delivered|delivery has failed|bounce|error sending|mail system error"
    r"|permanent (?:delivery )?failure|delivery notification|failed delivery|mail failure"
    r"|unzustellbar|nicht zustellbar|non remis|non distribu|no (?:se puede|se pudo) entregar"
    r"|non recapitabil|[ée]chec de (?:la )?(?:remise|distribution|livraison)|fallo en la entrega"
    r"|(?:message|mail|e-?mail) (?:you sent )?(?:was |has been )?(?:blocked|rejected|quarantined)"
    r"|недоставлен|не доставлен|ошибка доставки|возвращ[её]нн|возврат (?:письма|сообщения)"
    r"|配信エラー|配信不能|送信エラー|配信遅延"
    r"|(?:전송|발송|배달|전달|배송) ?실패|반송"
    r"|エラー|退信|未送达|are not member|warning: could not send|delayed mail|delivery delayed"
    # Portuguese, Italian, Dutch, Polish, Czech, Turkish, Scandinavian, Ukrainian notices.
    r"|n[ãa]o (?:foi )?entregue|falha n[ao] entrega|non consegnat|mancata consegna"
    r"|onbestelbaar|niet (?:afgeleverd|bezorgd)|niedostarczon|nedoru[čc]|teslim edilemedi"
    r"|iletilemedi|(?:inte|ikke) (?:levererat|levert|leveret)|olevererbar|ikke leverbar"
    r"|не доставлено|недоставлен|не вдалося доставити",
)
_BODY_RE = ScreenedRegex(
    r"could not be delivered|couldn't be delivered|undeliver|(?:delivery|deliver) .{0,80}failed"
    r"|failed permanently|permanent (?:fatal )?error|unable to deliver|not (?:be |been )?delivered"
    r"|n['\u2019](?:a|ont) pas (?:pu )?(?:être|été) (?:remis|distribu|livr)|erreur permanente"
    r"|(?:was|been) blocked by"
    r"|did not reach|returned to (?:the )?sender|was rejected|rejected (?:by|your)|reject reason"
    r"|error (?:occurred )?(?:while|during) (?:trying to )?deliver|delivery (?:problem|failure"
    r"|error)"
    r"|following (?:address|recipient)|fatal error|user unknown|wasn't able to deliver"
    r"|non.?delivery|trouble delivering|error delivering|could not deliver"
    r"|has not yet been delivered"
    r"|will be retried|delayed|unknown user|no such user|not a member|may not exist"
    r"|zustellung|unzustellbar|non (?:remis|recapitabile)|no se pudo entregar|не доставлен"
    r"|не (?:было|может быть|будет) доставлен|не (?:удалось|смогли|удаётся|удается) доставить"
    r"|невозможно доставить|не удалось отправить"
    r"|配信できません|送信できません|届きません|送信できませんでした|退信|投递失败|未能送达"
    r"|遅延しています|(?:전송|발송|전달|배달)되지 (?:못|않)"
    r"|n[ãa]o (?:foi poss[íi]vel|p[ôo]de ser|pode ser|p[ôo]de|conseguimos) entreg|n[ãa]o entregue"
    r"|impossibile (?:recapitare|consegnare)|non (?:è stato|e' stato|è stata|può essere)"
    r" (?:possibile )?(?:recapitat|consegnat)|kon niet (?:worden )?(?:afgeleverd|bezorgd)"
    r"|nie (?:mo[żz]na|uda[łl]o si[ęe]|mog[łl]a zosta[ćc]) (?:by[łl]o )?"
    r"(?:dostarczy|dor[ęe]czy)"
    r"|nelze doru[čc]it|nemohla b[ýy]t doru[čc]ena|teslim edilemedi|iletilemedi"
    r"|kunde inte levereras|kunne ikke (?:leveres|afleveres)|ei voitu toimittaa"
    r"|не вдалося доставити|не може бути доставлен",
)
_DELAY_SUBJECT_RE = re.compile(
    r"delay|warning|still being retried|could not send message for past|not yet delivered"
    r"|verzögert|retard|retrasad|ritardat|задерж|遅延|지연",
)
_DELAY_BODY_RE = ScreenedRegex(
    r"warning message only|warning only|not yet been delivered|do not need to re-?send"
    r"|only a temporary failure report|has been delayed|will (?:continue|keep) trying"
    r"|delivery attempts will continue|still trying|will be retried|引き続き試行|계속 시도",
)
_PERMANENT_RE = ScreenedRegex(
    r"permanent error|failed permanently|permanent fatal|giving up|gave up|given up"
    r"|has been returned|could not be delivered to|not going to try again",
)


_ANGLE_ADDR_RE = re.compile(r"<([^<>]{0,300})>\s*$")
_ANY_ADDRESS_RE = re.compile(r"\S+@\S+")
# Mailing-list managers answer with their own rejections ("you are not a member").
_LIST_MANAGER_RE = re.compile(r"-(?:admin|owner|request|bounces?|ctl)@")


def _sender_parts(msg: Part) -> tuple[str, str]:
    """From's address and its display name (with any address-like text removed), lowercased."""
    value = header(msg, "From")[:300].lower()
    match = _ANGLE_ADDR_RE.search(value)
    if match is not None:
        address, name = match.group(1).strip(), value[: match.start()]
    else:
        found = _ANY_ADDRESS_RE.search(value)
        address = found.group(0).strip("()<>\"'") if found else value
        name = value.replace(found.group(0), " ") if found else ""
    # "postmaster@our-domain" <phisher@elsewhere>: a display name may imitate an address.
    return address, _ANY_ADDRESS_RE.sub(" ", name)


# The null reverse path, as written by the final delivery agent: "<>", or the name some MTAs
# put in its place ("<MAILER-DAEMON>", "<MAILER-DAEMON@mx.example.net>").
_NULL_REVERSE_PATH_RE = re.compile(r"\s*<\s*(?:mailer-daemon(?:@[^<>\s]*)?)?\s*>\s*$", re.I)


def is_null_reverse_path(return_path: str) -> bool:
    """Is this Return-Path value the null sender every bounce comes from?"""
    return bool(_NULL_REVERSE_PATH_RE.match(return_path[:300]))


def sender_is_daemon(msg: Part) -> bool:
    """Whether the message shows the marks of a mail system rather than a person or a sender.

    A null reverse path (RFC 5321 requires it of every bounce), X-Failed-Recipients, or a From of
    a delivery daemon or a list manager. A display name counts without any address inside it,
    which phishing uses to imitate one. Auto-Submitted is no sign: quota warnings, monitoring
    alerts and auto-responders carry it as well.
    """
    if msg.get("X-Failed-Recipients") is not None:
        return True
    if is_null_reverse_path(header(msg, "Return-Path")):
        return True
    address, name = _sender_parts(msg)
    if _DAEMON_ADDRESS_RE.match(address) or _LIST_MANAGER_RE.search(address):
        return True
    return bool(_DAEMON_RE.search(name.strip().strip('"')))


# A person's reply or forward ("Re: Undelivered course materials", "Fwd: Undeliverable: ..."),
# after any ticket or list tag ("[#55102] Re:", "[mail-admins] Re:").
_REPLY_SUBJECT_RE = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:re|aw|sv|vs|antw|odp|r|ответ|回复|返信|답장)\s?(?:\[\d+\])?\s?[:\uff1a]"
)
_FORWARD_SUBJECT_RE = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:fwd?|fw|wg|tr|rv|i|vb|doorst|enc|pd|trs|пересл|转发|転送|전달)"
    r"\s?[:\uff1a]"
)


def is_delivery_system(msg: Part) -> bool:
    """A mail system's own notice (mailer-daemon, X-Failed-Recipients), not a person or a loop."""
    if msg.get("X-Failed-Recipients") is not None:
        return True
    address, name = _sender_parts(msg)
    return "mailer-daemon" in address or "mail delivery" in name


# An address nobody writes from or reads: a provider's robot ("noreply@", "do-not-reply@").
_ROBOT_ADDRESS_RE = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mail[-_.]?robot|robot)(?:[-_.+]\w*)?@"
)


def sent_by_a_robot(msg: Part) -> bool:
    """From a provider's no-reply robot: whatever it says, no person's out-of-office answer."""
    return bool(_ROBOT_ADDRESS_RE.match(_sender_parts(msg)[0]))


def written_by_a_person(msg: Part) -> str:
    """Why a message that is not a mail system's own notice is conversation: "reply", "forward",
    "list" (a mailing-list post or a newsletter), or "" when nothing says so."""
    if sender_is_daemon(msg):
        return ""
    subject = header(msg, "Subject")[:300].lower()
    # A program that forwards or answers says so (a bounce relay, a ticket system).
    automatic = header(msg, "Auto-Submitted").strip().lower().startswith("auto-")
    if _FORWARD_SUBJECT_RE.match(subject) and not automatic:
        return "forward"
    if _REPLY_SUBJECT_RE.match(subject) and not automatic:
        return "reply"
    precedence = header(msg, "Precedence").strip().lower()
    if (
        msg.get("List-Id") is not None
        or msg.get("List-Unsubscribe") is not None
        or precedence in ("bulk", "list", "junk")
    ):
        return "list"
    return ""


# A mail system's notice quoted inside a forward: its From line, or delivery-status fields.
_FORWARDED_NOTICE_RE = re.compile(
    r"^[ \t>]*(?:from|von|de|da|van|od|от|差出人|发件人)[ \t]*[:\uff1a].{0,80}"
    r"(?:mailer-daemon|postmaster@|mail delivery (?:system|subsystem))"
    r"|^[ \t>]*(?:final-recipient|diagnostic-code)[ \t]*:",
    re.MULTILINE,
)


def forwards_a_bounce(texts: list[str]) -> bool:
    """Whether a forwarded message's text quotes a mail system's bounce."""
    return any(_FORWARDED_NOTICE_RE.search(text[:65536].lower()) for text in texts[:3])


def looks_like_bounce(msg: Part, notice: str) -> bool:
    """Whether a message with no delivery-status part is a bounce written in words.

    A mail system's marks (see sender_is_daemon) and one telling subject or body; without them,
    the words alone are not enough: a person, a newsletter or a phish can use every one of them,
    so the server's own reply code must be there as well.
    """
    if msg.get("X-Failed-Recipients") is not None:
        return True  # only MTAs write it, and only on bounces (Exim, Google)
    if written_by_a_person(msg):
        return False
    subject = bool(_SUBJECT_RE.search(header(msg, "Subject")[:300].lower()))
    head = notice[:8000]
    body = bool(_BODY_RE.search(head.lower()))
    if sender_is_daemon(msg):
        return subject or body
    return subject and body and bool(find_status(head) or find_smtp_code(head))


def is_delay_warning(msg: Part, notice: str) -> bool:
    head = notice[:6000].lower()
    if _PERMANENT_RE.search(head) or quotes_permanent_reply(notice[:6000]):
        # A server's permanent answer quoted in the notice ("550 5.1.1 user unknown") is final,
        # whatever the subject or a template's "will be retried" says.
        return False
    if _DELAY_BODY_RE.search(head):
        return True
    if not _DELAY_SUBJECT_RE.search(header(msg, "Subject")[:300].lower()):
        return False
    # A subject that only says "warning" or "delay", over a body that names a final failure
    # ("user unknown") and says nothing of retrying, is a failure notice.
    return not (_FINAL_WORDS_RE.search(head) and not _RETRY_WORDS_RE.search(head))


_FINAL_WORDS_RE = ScreenedRegex(
    r"user unknown|unknown user|no such (?:user|mailbox|recipient|address|domain)"
    r"|does not exist|doesn't exist|address rejected|mailbox unavailable"
)
_RETRY_WORDS_RE = ScreenedRegex(
    r"temporar|retry|retried|retrying|try again|delay|will (?:keep|continue)"
)


# Notices a mail system sends about the bounce mailbox itself, or to it as a user: never a
# failure of mail we sent.
_SELF_NOTICE_RE = ScreenedRegex(
    r"almost full|nearly full|approaching (?:its |the |your )?(?:storage |mailbox )?(?:quota|limit)"
    r"|\b\d{1,3} ?% (?:of (?:its|your|the) )?(?:storage |mailbox |disk )?(?:quota|capacity)"
    r"|quota warning|mailbox size warning"
    r"|quarantin\w* (?:digest|summary|report|notification|notice)|held in (?:the )?quarantine"
    r"|spam digest|(?:messages?|e-?mails?) (?:are |is |were |have been )?(?:being )?held in"
    r" (?:your |the )?(?:quarantine|spam)"
)
_RECEIPT_SUBJECT_RE = re.compile(
    r"^\s*(?:delivered|relayed|zugestellt|remis|entregado|consegnato|доставлено)\s*:"
)
_RECEIPT_BODY_RE = ScreenedRegex(
    r"(?:was|has been|were) (?:successfully )?delivered to|delivery to (?:the following|these)"
    r" recipients? (?:was )?(?:successful|complete)"
)
_NEGATION_RE = ScreenedRegex(r"\bnot\b|n't|undeliver|fail|error|reject|could not|unable")


def notice_about_our_mailbox(msg: Part, notice: str) -> bool:
    """A quota warning or quarantine digest for the mailbox that receives the bounces."""
    text = header(msg, "Subject")[:300].lower() + "\n" + notice[:4000].lower()
    return bool(_SELF_NOTICE_RE.search(text)) and not (find_status(text) or find_smtp_code(text))


def is_delivery_receipt(msg: Part, notice: str) -> bool:
    """A text report that a message was delivered ("Delivered: ..."), which is no failure."""
    if not _RECEIPT_SUBJECT_RE.match(header(msg, "Subject")[:300].lower()):
        return False
    head = notice[:4000].lower()
    return bool(_RECEIPT_BODY_RE.search(head)) and not _NEGATION_RE.search(head)
