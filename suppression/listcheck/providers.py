"""Known mailbox providers, role accounts and top-level-domain typos: curated tables.

The providers are the big international ones plus those common among Kwiga's schools in Ukraine
and Eastern Europe. A domain that is not on the list but is one or two edits away from one that
is gets a suggestion (``gmial.com`` → ``gmail.com``). The providers are also known to accept mail,
so the checker does not spend a DNS lookup on them.
"""

from __future__ import annotations

PROVIDERS: frozenset[str] = frozenset(
    {
        # international
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.de", "yahoo.fr",
        "ymail.com", "rocketmail.com", "outlook.com", "hotmail.com", "hotmail.co.uk",
        "hotmail.de", "hotmail.fr", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
        "aol.com", "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.net", "gmx.de",
        "web.de", "mail.com", "zoho.com", "yandex.com", "fastmail.com", "tutanota.com",
        "hey.com", "qq.com", "163.com",
        # Ukraine
        "ukr.net", "i.ua", "meta.ua", "bigmir.net", "email.ua", "online.ua", "ua.fm",
        "yandex.ua", "gmail.com.ua", "mail.ua", "kyivstar.net", "3g.ua",
        # Russia, Belarus, Kazakhstan (still common on old Ukrainian lists)
        "mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru", "yandex.ru", "ya.ru",
        "narod.ru", "rambler.ru", "tut.by", "yandex.by", "yandex.kz",
        # Poland, Czechia, Slovakia, the Baltics, Romania, Bulgaria, Moldova
        "wp.pl", "o2.pl", "onet.pl", "op.pl", "interia.pl", "poczta.onet.pl", "gazeta.pl",
        "seznam.cz", "email.cz", "centrum.cz", "atlas.cz", "azet.sk", "centrum.sk",
        "inbox.lv", "inbox.lt", "mail.ee", "yahoo.ro", "abv.bg", "mail.bg", "dir.bg",
        "mail.md", "freemail.hu", "citromail.hu",
    }
)  # fmt: skip

# Top-level domains people mistype, and what they meant.
TLD_TYPOS: dict[str, str] = {
    "con": "com", "cmo": "com", "ocm": "com", "vom": "com", "xom": "com", "comm": "com",
    "coom": "com", "c0m": "com", "nte": "net", "ner": "net",
    "nrt": "net", "met": "net", "nett": "net", "orgg": "org", "ogr": "org", "rg": "org",
}  # fmt: skip

# Local parts that reach a team or a machine rather than a person (RFC 2142 and common use).
ROLE_ACCOUNTS: frozenset[str] = frozenset(
    {
        "abuse", "accounting", "accounts", "admin", "administrator", "billing", "careers",
        "contact", "contacts", "customerservice", "do-not-reply", "donotreply", "enquiries",
        "feedback", "finance", "help", "hello", "helpdesk", "hostmaster", "hr", "info",
        "inquiries", "jobs", "mail", "mailer-daemon", "marketing", "media", "news",
        "newsletter", "no-reply", "noreply", "office", "orders", "postmaster", "press",
        "privacy", "root", "sales", "security", "service", "support", "team", "webmaster",
        "www",
    }
)  # fmt: skip
