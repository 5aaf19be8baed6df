"""Diagnostic phrases servers write, in several languages, mapped to reasons.

Matched against lowercased, whitespace-collapsed text. The first rule that matches wins, so the
order goes from the most telling evidence to the vaguest: a quota or size complaint, then lists of
blocked senders, content filters, relaying and authentication, unknown users and domains, then the
generic refusals, network trouble and timeouts.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from suppression.dsn._screen_table import TABLE as _TABLE
from suppression.taxonomy import Reason

R = Reason
MAX_SCAN = 6000

_RULES_SOURCE: list[tuple[str, Reason, str]] = [
    (
        # The receiving server limits how much the platform sends (per hour, per IP): the
        # sender's volume, never the address. Before the mailbox words: "sending quota".
        "sender-rate-limit",
        R.SENDER_REPUTATION,
        r"rate.?limited|(?:sending|send|outbound|message|recipient|connection) rate"
        r"|too many (?:messages|mails|e-?mails|recipients|connections) (?:from (?:your|this|the"
        r" sending)|per (?:hour|minute|day|connection|session))"
        r"|(?:per|an|each|every) (?:hour|minute|day)\b.{0,40}(?:limit|exceed)"
        r"|(?:limit|exceed)[^.\n]{0,60}\bper (?:hour|minute|day)\b"
        r"|(?:hourly|daily|sending|send|outbound|volume) (?:message |recipient )?(?:limit|quota)s?"
        r"|unusual (?:rate|volume)|(?:high|unexpected|unusual) volume|volume of (?:mail|messages)"
        r"|exceeded (?:the |its |your )?(?:sending|send|message|recipient)s? (?:limit|quota|rate)"
        r"|\bip\b[^\n]{0,60}(?:exceeded|over) (?:the |its |a )?rate limit",
    ),
    (
        # Bulk or mass mail refused for what it is: content, not the address.
        "bulk-content",
        R.SPAM_FILTERED,
        r"bulk (?:mail|e-?mail|content|messages?|sender)|mass[ -]?mail|massenmail"
        r"|(?:rejected|refused|blocked) (?:as|because of|for) (?:bulk|mass)",
    ),
    (
        "mailbox-full",
        R.MAILBOX_FULL,
        r"mail ?box (?:is |was )?(?:full|over|exceed)|(?:mail ?box|mailfolder|inbox|account|user)"
        r" (?:is |has )?(?:over|exceeded)[ -]?(?:the |its |his |her )?(?:quota|limit|storage)"
        r"|over ?quota|quota (?:exceeded|exceed|full|violation)|exceeded (?:the |their |storage |"
        r"disk )*(?:quota|storage allocation)|storage (?:quota|space) (?:exceeded|full)"
        r"|insufficient (?:disk )?(?:space|quota) (?:for|in) (?:the )?(?:user|mailbox|recipient)"
        r"|recipient'?s? mailbox (?:is )?full|mailbox (?:size|storage) (?:limit )?exceeded"
        r"|exceeded the local limit|not enough (?:storage|space) (?:for|in)|mailbox quota"
        r"|would exceed (?:the )?(?:mailbox|quota)|user'?s? (?:disk )?quota|full mailbox"
        r"|postfach[^.\n]{0,40} voll\b|speicherplatz|bo[iî]te[^.\n]{0,40} pleine"
        r"|casella[^.\n]{0,40} piena|buz[oó]n[^.\n]{0,40} (?:lleno|completo)"
        r"|caixa[^.\n]{0,40} (?:cheia|lotada)|ящик (?:\S+ )?переполнен|переполнен"
        r"|превышен\w? (?:\S+ )?(?:квот|лимит|размер ящика)"
        r"|(?:メールボックス|容量)[^。\n]{0,12}(?:一杯|いっぱい|満杯)"
        r"|容量(?:オーバー|超過|が不足)|邮箱(?:已满|空间不足)|信箱已满|空间(?:已满|不足)"
        r"|schránka[^.\n]{0,40} (?:je )?pln|mailbox[^.\n]{0,40} is vol\b|postbus[^.\n]{0,40} vol\b"
        r"|posta kutusu[^.\n]{0,20} dolu|skrzynka[^.\n]{0,40} (?:jest )?(?:pełna|przepełniona)"
        r"|사서함[^.\n]{0,20}(?:가득|용량)|메일함[^.\n]{0,20}(?:가득|용량)"
        r"|(?:brevl[åa]d|postkass|postboks|innboks|indbakke)\w*[^.\n]{0,40} (?:är |er )?full"
        r"|скриньк\w*[^.\n]{0,20} переповнен|переповнен"
        r"|out of (?:storage|disk) space|(?:inbox|mailbox) (?:is )?out of (?:storage|space)"
        r"|is full|too many messages in",
    ),
    (
        "message-too-large",
        R.MESSAGE_TOO_LARGE,
        r"message (?:size |length )?(?:is )?(?:too (?:big|large)|exceeds)|(?:mail|message|email)"
        r" size (?:limit )?(?:exceed|too)|size (?:limit )?exceeded|exceeds? (?:the )?(?:maximum|max"
        r"|fixed|allowed|size)[a-z ]{0,30}size|too large|larger than (?:the )?(?:maximum|allowed|"
        r"limit)|message too big|size of (?:the )?message|nachricht (?:ist )?zu gro|trop volumineux"
        r"|demasiado grande|слишком больш|サイズ(?:が大き|オーバー|超過)|mailsize|mail size"
        r"|dimensione massima|troppo grande|размер (?:\S+ )?(?:сообщения|письма)|te groot"
        r"|邮件(?:大小|尺寸)?(?:超过|过大|太大)|大小超过|zbyt du[żz]|příliš velk|çok büyük"
        r"|크기[^.\n]{0,20}(?:초과|제한)",
    ),
    (
        # A local delivery agent (procmail, maildrop, dovecot-lda) that could not lock or write
        # the mailbox: a fault of the receiving host that may pass, whatever code it was given.
        "lda-failure",
        R.SERVER_UNAVAILABLE,
        r"(?:can(?:'|no)t|cannot|could not|couldn't|unable to|failed to) (?:create |get |acquire "
        r"|obtain |open |write |lock |rename )+(?:the |a )?(?:lock|lockfile|mailbox|mail ?file|file"
        r"|folder|maildir|spool|to)|lock ?file|locking (?:error|failed|timeout)"
        r"|(?:error|failure|failed) (?:while |when )?writing|write (?:error|failed|failure)"
        r"|no space left on device|disk (?:is )?full|file ?system (?:is )?full"
        r"|(?:input/output|i/o) error|quota exceeded while writing|lock (?:failure|failed|error"
        # A delivery command that exits 75 (EX_TEMPFAIL, sysexits.h) asks to be tried again.
        r"|timed? ?out)|(?:status|code) 75\b|ex_tempfail",
    ),
    (
        "rate-limit",
        R.SERVER_UNAVAILABLE,
        r"frequency limit|rate.?limit|too many (?:connections|concurrent|sessions|simultaneous)"
        r"|throttl|connection limit|too many (?:messages|mails) (?:from|in|per)",
    ),
    (
        "spam-url",
        R.SPAM_FILTERED,
        r"uribl|surbl|blacklisted (?:url|link|domain in)|dbl\.spamhaus|listed url",
    ),
    (
        # The recipient's own lists: a personal block list, an allow list we are not on, a
        # Japanese carrier's reception-refusal settings. The recipient refuses this sender.
        "recipient-list",
        R.SENDER_BLOCKED,
        r"(?:受信拒否|拒否|フィルタ|フィルター|指定受信)設定"
        r"|not (?:in|on) (?:the |its |their |his |her )?(?:[\w-]+'s? )?(?:allowlist|allow list"
        r"|allowed senders"
        r"|allowed-senders|whitelist|white list|safelist|safe list|safe senders)"
        r"|(?:recipient|user|addressee|owner)(?:'s)? (?:has )?(?:blocked|blacklisted|block(?:ed)?"
        r" list|blocklist|blacklist)|(?:personal|user|recipient|private) (?:block|black|deny) ?list"
        r"|sender (?:is )?(?:on|in) (?:the )?(?:recipient|user)'?s? (?:block|black)",
    ),
    (
        # The platform itself is refused: its IP or domain on a public blocklist, its reputation,
        # its reverse DNS. Soft, never the address's fault (docs/design.md, sender_reputation).
        "blocklist",
        R.SENDER_REPUTATION,
        r"spamhaus|spamcop|sorbs|barracuda|dnsbl|\brbl\b|realtime black|black ?list"
        r"|block ?list|uceprotect|abuseat|\bcbl\b|\bpsbl\b|mailspike|invaluement|senderscore"
        r"|deny ?list|(?<!not )\blisted (?:in|on|at|by)\b|blocked using|(?:poor|bad|low) (?:ip "
        r"|sender |domain )?reputation"
        r"|reputation|reverse (?:dns|lookup|hostname)|ptr record|\brdns\b|no ptr|dynamic ip"
        r"|residential|dial-?up|unexpected volume or user complaints|user complaints"
        r"|(?:client|sending|connecting) (?:host|ip|server) .{0,80}(?:rejected|blocked|refused"
        r"|denied)|your ip|(?:ip|address) (?:\S+ )?(?:is |has been )?(?:blocked|banned|blacklisted)"
        r"|\bip (?:\S+ )?(?:is )?(?:on|in) (?:our|a|the) .{0,20}list|\bs3150\b|\bs3140\b"
        r"|invalid ip|block(?:ed)? for spam|lista negra|liste noire|sperrliste|schwarze liste"
        r"|黑名单|ブラックリスト|블랙리스트|czarn[aej] list|\brtr:bl\b"
        r"|черн\w* спис|спам-?источник|репутац|banned sending ip"
        # Outlook.com's published refusal codes for the sending IP or domain (SC-, DY-, OU-,
        # RP-00x: reputation, dynamic address, complaints, rate): the platform, not the address.
        r"|\b(?:sc|dy|ou|rp)-00\d\b",
    ),
    (
        "spam-content",
        R.SPAM_FILTERED,
        r"spam|junk mail|\bvirus|malware|infected|phish|unsolicited|\buce\b|bulk mail"
        r"|content (?:rejected|filter|policy)|message content|suspicious|media error"
        r"|rejected (?:as|because of) (?:bulk|content)|mensaje no deseado|unerwünscht|спам"
        r"|ind[ée]sirable|垃圾邮件|迷惑メール|스팸|nevyžádan|ongewenst|niechcian|istenmeyen",
    ),
    (
        "no-relaying",
        R.REJECTED,
        r"relay(?:ing)? (?:access )?(?:denied|not (?:permitted|allowed)|prohibited|forbidden)"
        r"|(?:not|unable to|we do not|cannot|can't) (?:permitted to )?relay|no relaying"
        r"|relaying (?:is )?not|not a gateway|open relay",
    ),
    (
        # Our SPF, DKIM or DMARC failed or is missing: the platform's set-up, not the address.
        "authentication",
        R.SENDER_REPUTATION,
        # A DKIM-Signature *header* that is malformed or doubled is the message's form, not our
        # authentication: "dkim" followed by "-signature" is left to the header words.
        r"\bspf\b|\bdkim\b(?!-signature)|\bdmarc\b|authentication (?:check|fail|level)"
        r"|sender policy framework"
        r"|domainkeys|(?:sending|sender|from) domain[^.\n]{0,60}(?:authenticat|not meet)",
    ),
    (
        # Authentication the receiving system asks of a sender it knows (SMTP AUTH, a group that
        # takes mail only from signed-in members): a policy of the recipient's side.
        "authentication-required",
        R.REJECTED,
        r"authentication requir|unauthenticated|not authenticated",
    ),
    (
        "sender-rejected",
        R.REJECTED,
        r"sender (?:address |domain )?(?:rejected|denied|invalid|unknown|verify)|invalid sender"
        r"|(?:domain of )?sender (?:address )?(?:does not|doesn't) (?:exist|resolve)"
        r"|mail ?from.{0,40}(?:rejected|invalid|not)|from: ?domain is invalid"
        r"|you are not (?:a )?member|not (?:a )?member of|permission to post|not allowed to post"
        r"|moderator|sender is not",
    ),
    (
        # Google Groups refuses posts in the poster's own language ("the group may not exist or
        # you may not post"), with no code at all; its notice always links the groups help centre.
        # Before the unknown-user words, which its translations contain.
        "group-refused-post",
        R.REJECTED,
        r"groups\.google\.com/support",
    ),
    (
        "mailer-error",
        R.REJECTED,
        r"pipe to \||mailer error|command (?:died|failed)|exit (?:code|status)|delivery program"
        r"|unexpected (?:exit|error) (?:code|status)|local delivery failed|child process"
        r"|pipe transport|transport returned",
    ),
    (
        # The resolver could not answer for now (TRY_AGAIN, EAI_AGAIN, SERVFAIL): Postfix's "Host
        # or domain name not found. ... Host not found, try again". Whether the domain exists is
        # not known yet: a DNS problem (soft), not a missing domain; before the rules that read
        # "not found" as one.
        "dns-try-again",
        R.DNS_ERROR,
        r"not found, ?try again|temporary failure in name resolution|name resolution"
        r" (?:temporarily )?failed|dns (?:lookup )?(?:temporarily |temporary )(?:failed|failure"
        r"|unavailable|error)",
    ),
    (
        "domain-not-exist",
        R.DOMAIN_UNKNOWN,
        r"(?<![@\w.-])(?:[a-z0-9-]+\.)+[a-z]{2,}\.? (?:does(?: not|n't) exist|not found|unknown)"
        r"|(?<!sender )(?<!from )\bdomain (?:name )?(?:does(?: not|n't) exist|not found|is unknown)"
        r"|mx (?:records? )?points? to non-?existent|no mail ?servers? (?:appears? to )?exists?"
        r"|no (?:mail|smtp) servers? (?:found|for)|nxdomain|host \S{1,255} not found"
        r"|domain (?:name )?(?:\(?\S{1,255}\)? )?(?:does not appear to be|is not|isn't|not)"
        r" registered|no route (?:found )?to domain"
        r"|dominio[^.\n]{0,30} (?:no existe|inexistente)|domaine[^.\n]{0,40} (?:n'existe pas"
        r"|inexistant|inconnu)|domain[^.\n]{0,30} existiert nicht|域名不存在|dom[ií]nio inexistente"
        r"|dom[ií]nio[^.\n]{0,30} não existe|домен[^.\n]{0,30} не существует"
        # Outlook's "The domain you attempted to contact doesn't exist", Gmail's "the domain
        # example.com couldn't be found" (under its "Address not found" heading).
        r"|(?<!sender )(?<!your )\bdomain (?:name )?(?:you (?:attempted|tried) to "
        r"(?:contact|reach) |[a-z0-9-]+(?:\.[a-z0-9-]+)+\.? )?(?:does(?: not|n't) exist"
        r"|(?:could ?n[o']t|can ?n[o']t|cannot|was ?n[o']t) be found)",
    ),
    (
        "user-unknown",
        R.MAILBOX_UNKNOWN,
        r"(?:user|recipient|receiver|mailbox|address|account|addressee)s? (?:name )?(?:is )?"
        r"(?:unknown|invalid|not (?:found|known|recognized|recognised|listed)"
        r"|does(?: not|n't) exist|no longer"
        r"|unavailable and|non.?existent)|(?:unknown|invalid|illegal|bad|non.?existent)"
        r" (?:user|recipient|receiver|mailbox|address|e-?mail address|local.?part|alias|account"
        r"|addressee)"
        r"|no such (?:user|mailbox|recipient|address|account|person|local user|e-?mail)"
        r"|(?:user|mailbox|recipient|address|account|e-?mail) (?:\S+ )?not (?:found|exist)"
        r"|does(?: not|n't) (?:exist|have an? (?:\S+ )?account)|not exist|no mailbox"
        r"|not (?:a )?(?:valid|known) (?:user|recipient|mailbox|address)"
        r"|not listed in|invalid final delivery|userid|name is not recognized|address rejected:"
        r" ?(?:user unknown|undeliverable)|bad destination mailbox|no account|address unknown"
        r"|recipient rejected|unknown or illegal|has moved|no longer (?:valid|available|in use|"
        r"active|exists)|inactive (?:user|account|mailbox)|(?:account|mailbox"
        r"|address) (?:has been |"
        r"is |was )?(?:disabled|deactivated|suspended|discontinued|closed|expired|locked|deleted|"
        r"inactive|blocked)|unbekannt|existiert nicht|gibt es nicht|inconnu|n'existe pas|"
        r"introuvable|desconocid|no existe|inexistente|sconosciut|non esiste|inesistente"
        r"|не существует|нет такого|такого [^.\n]{0,20}нет|не найден|несуществующ|неизвестн"
        r"|存在しません|存在しない|존재하지 않|nie istnieje|neexistuje|bulunamad|mevcut değil"
        r"|bestaat niet|onbekende (?:gebruiker|ontvanger)|finns inte|findes ikke|finnes ikke"
        r"|ei ole olemassa|не існує|n[ãa]o existe"
        r"|宛先不明|見つかりません|不存在|无此用户|用户不存在|unknown\b.{0,20}\brecipient"
        r"|recipient address rejected: access denied|recipient not found|リストにありません"
        r"|address you entered (?:could ?n[o']t|can ?n[o']t|cannot|was ?n[o']t) be found"
        r"|ディレクトリ.{0,20}ありません|登録されていません|mailbox name not allowed"
        r"|not our customer|unverified address|recipient verification failed|mailbox is frozen"
        r"|(?:user|account|mailbox)\b.{0,60}"
        r"\b(?:temporar\w* )?(?:locked|suspended|disabled|deactivated)",
    ),
    (
        "null-mx",
        R.DOMAIN_UNKNOWN,
        r"null mx|does(?: not|n't) (?:receive|accept) (?:e-?mails?|mail)|rfc ?7505"
        r"|indicated no smtp service",
    ),
    (
        "domain-unknown",
        R.DOMAIN_UNKNOWN,
        r"host (?:or domain name )?(?:unknown|not found)|unknown (?:host|domain)|domain (?:name )?"
        r"(?:not found|does(?: not|n't) exist|unknown|is not (?:valid|registered)|not exist)"
        r"|no such (?:domain|host)|nxdomain|name or service not known"
        # "Unable to find MX of domain ...", "MX lookup failed": the domain names no mail server.
        r"|(?:unable to|could not|couldn't|can't|cannot|failed to) (?:find|get|resolve|look ?up)"
        r" (?:the |any |an )?mx\b|mx (?:records? )?(?:\S+ )?(?:not found|missing|is empty)"
        # Exim's "Unrouteable address": no router found a way to the domain.
        r"|unrout(?:e)?able (?:address|(?:mail )?domain)|not routable|no route(?:s)? (?:to|for) "
        r"(?:the )?(?:address|recipient)"
        r"|no mx|mx (?:record )?(?:not found|lookup failed)"
        r"|bad destination (?:system|host)|couldn't find any host|no valid (?:mx|host)"
        r"|domain (?:\S+ )?(?:is )?not (?:valid|resolv)|unresolvable|authoritative answer"
        r"|dominio (?:no existe|inexistente)|domaine (?:inexistant|inconnu)",
    ),
    (
        "blocked",
        R.SENDER_BLOCKED,
        r"\bblocked|blacklisted|\bbanned|access denied|denied access|not allowed to send"
        r"|rejected by (?:the )?recipient|refused to accept|sender denied|you are not allowed"
        r"|messages from .{0,60} (?:are |is )?(?:not accepted|rejected|refused)|do not accept mail"
        r" from|not accept(?:ing)? (?:mail|messages) from|blockiert|bloqu|заблокирован|блокир"
        r"|受信拒否|拒收|차단|zablokowan|zablokován|engellen",
    ),
    (
        "network",
        R.DNS_ERROR,
        r"(?:domain|destination|host|server|mx) (?:\S+ )?(?:is |was )?(?:not |un)reachable"
        r"|unreachable (?:domain|host|destination)|no route to host|network (?:is )?unreachable"
        r"|connection refused|socket error"
        r"|host (?:not |un)reachable|(?:unable|could not|couldn't|failed) to (?:connect|establish)"
        r"|wasn't able to establish|no smtp connection|did not accept our requests to connect"
        r"|name service error|dns (?:error|failure|lookup|problem|timeout|servfail|temporary)"
        r"|temporary (?:lookup|dns)"
        r" failure|servfail|name server|connection (?:reset|lost|dropped|closed)"
        r"|lost connection|tls (?:handshake|negotiation)|cannot connect"
        r"|dns settings|dns (?:configuration|records?) (?:problem|error|issue)"
        r"|refused (?:the |our )?connection",
    ),
    (
        # A message that travels in a circle: a routing fault (Sisimai's networkerror), whatever
        # the code; before the header words ("too many Received headers").
        "mail-loop",
        R.DNS_ERROR,
        r"mail (?:forwarding )?loop|loop(?:s|ing)? (?:back|detected)|routing loop|(?:detected|a)"
        r" loop\b|too many (?:hops|received(?: headers)?|delivered-to)|hop ?count"
        r"|max(?:imum)? hops?|loops back to myself|ループ",
    ),
    (
        # The message's form, not its meaning: 8-bit data to a 7-bit server, broken MIME, bare
        # line feeds, over-long lines. Content the server refused (Sisimai's contenterror).
        "content-format",
        R.SPAM_FILTERED,
        r"8-?bit|8bitmime|\bmime\b[^.\n]{0,30}(?:conform|error|invalid|malformed|broken|violat"
        r"|format)|(?:invalid|malformed|broken|illegal) mime|non-?ascii|bare (?:lf|cr|linefeed"
        r"|carriage)|line (?:is )?too long|lines? longer than|illegal (?:character|byte)s?"
        r"|(?:message|content)[^.\n]{0,20} (?:not|isn't) (?:rfc|mime)",
    ),
    (
        "policy",
        R.REJECTED,
        r"polic(?:y|ies)|not (?:authori[sz]ed|permitted)|prohibited|syntax"
        r"|command (?:unrecognized|not)|protocol violation"
        r"|mailer error|rfc ?(?:2822|5322|822)|malformed|not (?:\S+ )?compliant|rejected for"
        r"|prohibition"
        r"|(?:invalid|missing|duplicate|bad|illegal|too many|long|broken) (?:\S+ )?headers?\b"
        r"|headers? (?:\S+ )?(?:is |are )?(?:invalid|missing|too (?:long|large|many)|not valid"
        r"|not accepted|error|refused|rejected)"
        r"|(?:from|to|sender|subject|date|message-id):? headers?\b"
        r"|delivery not authorized|forbidden|mailing list|(?:illegal|prohibited|dangerous"
        r"|forbidden|"
        r"blocked|unacceptable) (?:attachment|file)|attachment",
    ),
    (
        "expired",
        R.SERVER_UNAVAILABLE,
        r"(?:retry|delivery) (?:time ?out|time) (?:exceeded|expired)|message expired"
        r"|envelope expired"
        r"|(?:queue|queued) (?:too long|for too)|in the queue too long|giving up|gave up|expired"
        r"|could not be delivered (?:within|for)|could not deliver for|retry timeout"
        r"|timed? ?out|time-out|too many (?:retries|attempts)|maximum (?:delivery|retry) time"
        r"|retry time not reached|failing for a long time"
        r"|(?:did ?n[o']t|did not|failed to) respond in time|no response (?:from|in time)"
        r"|(?:attempts|retries) (?:have been )?(?:exceeded|exhausted)|maximum number of (?:delivery"
        r" )?(?:attempts|retries)",
    ),
    (
        "server-busy",
        R.SERVER_UNAVAILABLE,
        r"try (?:again )?later|temporar|(?:service|server|system) (?:is )?(?:currently "
        r"|temporarily )?"
        r"(?:not available|unavailable)|too many (?:connections|concurrent|sessions|messages|"
        r"recipients|errors)|rate limit|throttl|service (?:not available|unavailable)|server busy"
        r"|system (?:is )?(?:busy|full|error|not available|overload)|insufficient system storage"
        r"|resources? (?:temporarily|unavailable)|internal (?:server )?error|local error"
        r"|operating system error|overload|greylist|graylist|(?<!permanently )deferred"
        r"|out of memory",
    ),
    (
        "mailbox-unavailable",
        R.MAILBOX_UNKNOWN,
        r"mailbox (?:unavailable|not available)|not (?:a )?valid|recipient not|undeliverable to"
        r"|recipient address rejected|check (?:if|that|whether) (?:the )?(?:e-?mail "
        r"|recipient'?s? )?"
        r"address",
    ),
    (
        "rejected",
        R.REJECTED,
        r"\brejected\b|refused|denied|not accepted|reject",
    ),
]


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _required(items: Any) -> frozenset[str] | None:
    """Literal strings of which every match of a parsed regex holds at least one, None if unknown.

    A sequence needs each of its mandatory pieces: runs of literal characters, and groups,
    alternations and repeats (at least once) that need something themselves; the piece with the
    longest shortest string is kept. An alternation needs one string from each branch. Anything
    else (classes, optional parts, look-arounds) is skipped, which only makes the answer weaker.
    """
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        name = getattr(op, "name", str(op))
        if name == "LITERAL":
            run.append(chr(av))
            continue
        if run:
            candidates.append(frozenset(("".join(run),)))
            run = []
        sub: frozenset[str] | None = None
        if name == "SUBPATTERN":
            if not (av[1] or av[2]):  # (?i:...) and other local flags: leave it to the regex
                sub = _required(av[-1])
        elif name == "ATOMIC_GROUP":
            sub = _required(av)
        elif name in _REPEATS and av[0] >= 1:
            sub = _required(av[2])
        elif name == "BRANCH":
            union: set[str] = set()
            for branch in av[1]:
                needed = _required(branch)
                if not needed:
                    break
                union |= needed
            else:
                sub = frozenset(union)
        if sub:
            candidates.append(sub)
    if run:
        candidates.append(frozenset(("".join(run),)))
    if not candidates:
        return None
    return max(candidates, key=_selective)


# Words in nearly every bounce: a screen on one of them lets the regex run on almost every text.
# Which required piece screens a rule changes its speed, never its answer.
_COMMON = (
    "mail",
    "user",
    "recipient",
    "address",
    "message",
    "account",
    "local",
    "server",
    "domain",
    "sender",
    "error",
    "deliver",
    "list",
)


def _selective(strings: frozenset[str]) -> tuple[bool, int, int]:
    """How well a required piece screens: four letters or more and no common word first, then
    the longest shortest string, then the fewest strings."""
    shortest = min(map(len, strings))
    common = any(word in string for string in strings for word in _COMMON)
    return (shortest >= 4 and not common, shortest, -len(strings))


def _screen(required: frozenset[str] | None) -> tuple[str, ...] | None:
    """The literals screening a regex whose every match holds one of ``required``, if any.

    A string holding another of the set is dropped: the shorter one decides.
    """
    if not required or min(map(len, required)) < 2:
        return None  # one-character anchors would pass almost every text
    kept = [s for s in required if not any(o != s and o in s for o in required)]
    return tuple(sorted(kept))


def _top_branches(source: str) -> list[str]:
    """The alternatives of a regex at its top level: "a|b(c|d)" gives ["a", "b(c|d)"]."""
    pieces: list[str] = []
    depth = start = index = 0
    in_class = False
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            index += 1
            if source[index : index + 1] == "^":
                index += 1
            if source[index : index + 1] == "]":  # a "]" first in a class is a literal
                index += 1
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            pieces.append(source[start:index])
            start = index + 1
        index += 1
    pieces.append(source[start:])
    return pieces


# Per alternative: its screen, its source, and its regex once compiled (on first use: compiling
# every alternative of every rule up front would cost a short-lived process more than it saves).
Branches = tuple[list[Any], ...]


def _derive_screens(source: str) -> tuple[tuple[str, ...] | None, Branches]:
    """The rule's screen (see match_phrase), and its alternatives each with its own screen.

    Derived from the regex itself, so that a rule edited later cannot fall out of step with a
    hand-written list; whatever cannot be derived safely is left to the whole regex, unscreened.
    """
    whole: Branches = ([None, source, None],)
    try:
        parsed = importlib.import_module("re._parser").parse(source)
        if parsed.state.flags & ~re.UNICODE:
            return None, whole
        alternatives = None
        if len(parsed.data) == 1 and getattr(parsed.data[0][0], "name", "") == "BRANCH":
            alternatives = parsed.data[0][1][1]
        pieces = _top_branches(source)
        if alternatives is None or len(alternatives) != len(pieces):
            return _screen(_required(parsed)), whole
        # What an alternation needs is one string of what each alternative needs.
        needed = [_required(alternative) for alternative in alternatives]
        known = [required for required in needed if required is not None]
        rule = _screen(frozenset().union(*known)) if len(known) == len(needed) else None
        screened: list[list[Any]] = []
        rest: list[str] = []  # the alternatives nothing screens share one regex
        for piece, required in zip(pieces, needed, strict=True):
            anchors = _screen(required)
            if anchors is None:
                rest.append(piece)
            else:
                screened.append([anchors, piece, None])
        if rest:
            screened.append([None, "|".join(rest), None])
    except Exception:  # a private module of the re package: never let it cost correctness
        return None, whole
    return rule, tuple(screened)


def _screens(source: str) -> tuple[tuple[str, ...] | None, Branches]:
    """``_derive_screens``, read from the table written beforehand when it holds this source.

    Deriving parses every regex at import, a fifth of the parser's start-up in each short-lived
    process (``parse_bounces``, the pipe). The table is keyed by the exact source, so an edited
    rule is derived afresh until the table is rewritten (scripts/screen_table.py; a test says when).
    """
    known = _TABLE.get(source)
    if known is None:
        return _derive_screens(source)
    anchors, branches = known
    return anchors, tuple([branch_anchors, branch, None] for branch_anchors, branch in branches)


def table_entry(source: str) -> tuple[tuple[str, ...] | None, tuple[tuple[Any, str], ...]]:
    """What the table holds for one source: ``_derive_screens`` without the compiled slots."""
    anchors, branches = _derive_screens(source)
    return anchors, tuple((branch_anchors, branch) for branch_anchors, branch, _ in branches)


def _anchors(source: str) -> tuple[str, ...] | None:
    """The literals screening one rule (see match_phrase); None when the rule cannot be screened."""
    return _screens(source)[0]


# Every rule's regex is tried on every diagnostic until one matches, and most fail: running a
# regex that cannot match costs a full scan. A literal that any match must contain is checked
# first with ``in`` (a fast substring search), which rules out most rules without the regex.
# A rule that passes is then tried alternative by alternative, each behind its own screen: the
# rule matches where one of its alternatives does, and one short alternative searched alone
# runs on the engine's fast literal search, where the whole alternation tries every branch at
# every position.
_SCREENED = [(name, reason, *_screens(source)) for name, reason, source in _RULES_SOURCE]
_SCREENS: list[tuple[str, ...] | None] = [rule[2] for rule in _SCREENED]


def screened_sources() -> list[str]:
    """Every regex whose screens are derived: the rules, then each ScreenedRegex made so far."""
    return [source for _, _, source in _RULES_SOURCE] + SCREENED_SOURCES


SCREENED_SOURCES: list[str] = []


def _any_branch(branches: Any, lowered: str) -> bool:
    """Does one of ``branches`` (alternatives of a rule, each behind its own literal screen and
    compiled on first use) match ``lowered``?"""
    for branch_entry in branches:
        branch_anchors, source, branch = branch_entry
        if branch_anchors is not None:
            for anchor in branch_anchors:
                if anchor in lowered:
                    break
            else:
                continue
        if branch is None:
            branch = branch_entry[2] = re.compile(source)
        if branch.search(lowered):
            return True
    return False


class ScreenedRegex:
    """A regex asked only whether it matches somewhere, tried as match_phrase tries a rule.

    For a regex over lowercased text whose answer is used as a yes or no: ``search`` returns a
    bool, never a match. Inline flags are kept; flags passed to ``re.compile`` are not taken.
    """

    __slots__ = ("_anchors", "_branches", "pattern")

    def __init__(self, source: str) -> None:
        self.pattern = source
        SCREENED_SOURCES.append(source)
        self._anchors, self._branches = _screens(source)

    @property
    def flags(self) -> int:
        return re.compile(self.pattern).flags

    def search(self, lowered: str) -> bool:
        anchors = self._anchors
        if anchors is not None:
            for anchor in anchors:
                if anchor in lowered:
                    break
            else:
                return False
        return _any_branch(self._branches, lowered)


def __getattr__(name: str) -> Any:
    # RULES, every rule's whole regex, is for readers and tests: the parser compiles only the
    # alternatives it tries, and compiling all of them costs each short-lived process ~10 ms.
    if name == "RULES":
        rules = [(name, reason, re.compile(source)) for name, reason, source in _RULES_SOURCE]
        globals()["RULES"] = rules
        return rules
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def rules_through(names: frozenset[str]) -> int:
    """How many rules, in order, hold every rule named: a scan for those names stops there."""
    return 1 + max(index for index, (name, _, _) in enumerate(_RULES_SOURCE) if name in names)


# The last text read and its answer: a recipient's diagnostic is often classified twice in a row
# (alone, then beside its block of the notice), and the answer depends on the text alone.
_last: tuple[str, tuple[Reason, str] | None] = ("", None)


def match_phrase(text: str, within: int | None = None) -> tuple[Reason, str] | None:
    """The reason and rule name of the first phrase rule matching the text, None if none does.

    ``within`` limits the scan to the first rules (see ``rules_through``): a caller that only
    acts on some rules' answers need not try the rules after them, whose answer it would ignore.
    """
    global _last
    if not text:
        return None
    if within is None and _last[0] == text:
        return _last[1]
    lowered = " ".join(text[:MAX_SCAN].split()).lower()
    found = None
    for name, reason, anchors, branches in _SCREENED if within is None else _SCREENED[:within]:
        if anchors is not None:
            # A loop, not any(<generator>): this runs for every rule on every diagnostic.
            for anchor in anchors:
                if anchor in lowered:
                    break
            else:
                continue
        if _any_branch(branches, lowered):
            found = reason, name
            break
    if within is None:
        _last = (text, found)
    return found
