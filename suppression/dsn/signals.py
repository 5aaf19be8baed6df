"""Whether a message that is not a standard DSN is a bounce at all, and whether it is a warning."""

from __future__ import annotations

import re

from suppression.dsn.mime import Part, header

# All patterns here are lowercase and run over lowercased text: case-sensitive matching of long
# alternations is several times faster than re.IGNORECASE.

_DAEMON_RE = re.compile(
    r"mailer[-_ ]?daemon|postmaster|post_master|mail delivery|delivery (?:system|subsystem)"
    r"|mail\.delivery|\bmta\b|double-bounce|mail administrator|system administrator",
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
    r"|недоставлен|не доставлен|ошибка доставки|配信エラー|配信不能|送信エラー|配信遅延"
    r"|(?:전송|발송|배달|전달|배송) ?실패|반송"
    r"|エラー|退信|未送达|are not member|warning: could not send|delayed mail|delivery delayed",
)
_BODY_RE = re.compile(
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
    r"|配信できません|送信できません|届きません|送信できませんでした|退信|投递失败|未能送达"
    r"|遅延しています|(?:전송|발송|전달|배달)되지 (?:못|않)",
)
_DELAY_SUBJECT_RE = re.compile(
    r"delay|warning|still being retried|could not send message for past|not yet delivered"
    r"|verzögert|retard|retrasad|ritardat|задерж|遅延|지연",
)
_DELAY_BODY_RE = re.compile(
    r"warning message only|warning only|not yet been delivered|do not need to re-?send"
    r"|only a temporary failure report|has been delayed|will (?:continue|keep) trying"
    r"|delivery attempts will continue|still trying|will be retried|引き続き試行|계속 시도",
)
_PERMANENT_RE = re.compile(
    r"permanent error|failed permanently|permanent fatal|giving up|gave up|given up"
    r"|has been returned|could not be delivered to|not going to try again",
)


def sender_is_daemon(msg: Part) -> bool:
    if msg.get("X-Failed-Recipients") is not None:
        return True
    return_path = header(msg, "Return-Path").strip()
    if return_path in ("<>", "< >"):
        return True
    return bool(_DAEMON_RE.search(header(msg, "From")[:300].lower()))


# A person's reply ("Re: Undelivered course materials") is conversation, whatever words it uses.
_REPLY_SUBJECT_RE = re.compile(r"^\s*(?:re|aw|sv|vs|antw|odp|ответ|返信)\s?(?:\[\d+\])?\s?:")


def is_delivery_system(msg: Part) -> bool:
    """A mail system's own notice (mailer-daemon, X-Failed-Recipients), not a person or a loop."""
    if msg.get("X-Failed-Recipients") is not None:
        return True
    sender = header(msg, "From")[:300].lower()
    return "mailer-daemon" in sender or "mail delivery" in sender


def looks_like_bounce(msg: Part, notice: str) -> bool:
    if msg.get("X-Failed-Recipients") is not None:
        return True  # only MTAs write it, and only on bounces (Exim, Google)
    daemon = sender_is_daemon(msg)
    if not daemon and _REPLY_SUBJECT_RE.match(header(msg, "Subject")[:300].lower()):
        return False
    subject = bool(_SUBJECT_RE.search(header(msg, "Subject")[:300].lower()))
    body = bool(_BODY_RE.search(notice[:8000].lower()))
    return (daemon and (subject or body)) or (subject and body)


def is_delay_warning(msg: Part, notice: str) -> bool:
    head = notice[:6000].lower()
    if _PERMANENT_RE.search(head):
        return False
    if _DELAY_SUBJECT_RE.search(header(msg, "Subject")[:300].lower()):
        return True
    return bool(_DELAY_BODY_RE.search(head))
