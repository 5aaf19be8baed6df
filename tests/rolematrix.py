"""Helpers of the role-by-URL matrix (tests/test_role_matrix.py).

* ``admin_urls()`` lists every URL pattern of the admin site from the URL resolver, and
  ``admin_actions()`` every action of every ModelAdmin, so a new one shows up in the matrix.
* ``forms_in()`` reads a page's forms as a browser would submit them (stdlib ``html.parser``).
* ``snapshot()`` / ``changes()`` tell whether a request wrote to the database: row count and
  highest id of every table, and a checksum of every row of the tables whose rows change in place.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.contrib import admin
from django.db import connection
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Sign-in bookkeeping, not data: a session row per login, and the lockout library's attempt log.
NOT_DATA_PREFIXES = ("django_session", "axes_")
# Rows of these tables change in place (the others only grow, which counts and ids show).
CHECKSUMMED = (
    "auth_user",
    "auth_group",
    "auth_user_groups",
    "auth_user_user_permissions",
    "auth_group_permissions",
    "suppression_school",
    "suppression_schoolmembership",
    "suppression_emailaddress",
    "suppression_suppression",
    "suppression_reinstatementrequest",
    "suppression_apiclient",
    "suppression_unparsedmessage",
    "suppression_sourceliveness",
)
# Written by every sign-in, which is not what a request under test did.
NOT_COMPARED_COLUMNS = {"auth_user": {"last_login"}}


# --- URLs and actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminUrl:
    key: str  # the URL name, or a made-up name for the admin's unnamed patterns
    route: str  # the full pattern, for messages
    model: str = ""  # "app_model" for a ModelAdmin's own URLs
    kind: str = ""  # changelist, add, change, history, simple_history, ... for a model's URLs


def _walk(patterns: list[Any], prefix: str, in_admin: bool) -> Iterator[tuple[str, Any, str]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inside = in_admin or pattern.namespace == admin.site.name
            yield from _walk(pattern.url_patterns, route, inside)
        elif isinstance(pattern, URLPattern) and in_admin:
            yield route, pattern, prefix


@functools.cache
def admin_urls() -> dict[str, AdminUrl]:
    """Every URL pattern of the admin site, by key."""
    models = {
        f"{m._meta.app_label}/{m._meta.model_name}/": f"{m._meta.app_label}_{m._meta.model_name}"
        for m in admin.site._registry
    }
    root = reverse("admin:index").lstrip("/")
    found: dict[str, AdminUrl] = {}
    for route, pattern, prefix in _walk(get_resolver().url_patterns, "", False):
        model = models.get(prefix.removeprefix("^").removeprefix(root), "")
        if pattern.name:
            key = pattern.name
        elif model and str(pattern.pattern) == "<path:object_id>/":
            key = f"{model}_legacy"  # the pre-1.9 change URL, which redirects to the change page
        elif str(pattern.pattern) == "(?P<url>.*)$":
            key = "catch_all"
        else:
            key = route  # unknown: named by its route so the failure message says which
        kind = key.removeprefix(f"{model}_") if model else ""
        found[key] = AdminUrl(key=key, route=route, model=model, kind=kind)
    return found


def admin_actions() -> dict[str, str]:
    """Every action any user could be offered, ``"app_model.action"`` → description."""
    found = {}
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        # _get_base_actions: every action before the per-user permission filter.
        for _func, name, description in model_admin._get_base_actions():
            found[f"{label}.{name}"] = str(description)
    return found


def app_labels() -> set[str]:
    return {model._meta.app_label for model in admin.site._registry}


# --- forms as a browser submits them ------------------------------------------------------------


@dataclass
class RenderedForm:
    id: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    submit: tuple[str, str] | None = None  # the first named submit button: the one "clicked"

    def values(self) -> dict[str, list[str]]:
        data: dict[str, list[str]] = {}
        for name, value in [*self.fields, *([self.submit] if self.submit else [])]:
            data.setdefault(name, []).append(value)
        return data


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[RenderedForm] = []
        self._form: RenderedForm | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            self._form = RenderedForm(a.get("id", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        kind = a.get("type", "submit" if tag == "button" else "text").lower()
        if tag in ("input", "button") and kind in ("submit", "image", "button", "reset"):
            if name and form.submit is None and kind in ("submit", "image"):
                form.submit = (name, a.get("value", ""))
        elif tag == "input" and name and kind != "file":
            if kind not in ("checkbox", "radio") or "checked" in a:
                form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": []}
            self._select["options"].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option is not None:
            self._option["text"].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self._select["multiple"]:
                chosen = options[:1]  # a browser submits the first option of a plain select
            for option in chosen:
                value = option["value"]
                value = "".join(option["text"]).strip() if value is None else value
                self._form.fields.append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = "".join(self._textarea[1])
            self._form.fields.append((self._textarea[0], text.removeprefix("\n")))
            self._textarea = None


def forms_in(html: str) -> list[RenderedForm]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def pick_form(forms: list[RenderedForm], form_id: str = "") -> RenderedForm | None:
    """The form with ``form_id``, else the first POST form other than the logout button."""
    posts = [f for f in forms if f.method == "post"]
    if form_id:
        return next((f for f in posts if f.id == form_id), None)
    return next((f for f in posts if f.id != "logout-form"), None)


# --- what a response was ------------------------------------------------------------------------


def outcome(response: HttpResponse) -> str:
    """The status as the matrix writes it: a redirect to the sign-in page is ``login``."""
    if response.status_code in (301, 302):
        return "login" if response["Location"].startswith(reverse("admin:login")) else "302"
    if response.status_code == 403 and b"CSRF verification failed" in response.content:
        return "csrf"  # never expected: it would hide whether the role itself was refused
    return str(response.status_code)


# --- did the database change ------------------------------------------------------------------


@dataclass
class _Plan:
    counts_sql: str
    checksum_sql: dict[str, str]


_plans: dict[str, _Plan] = {}


def _plan() -> _Plan:
    if connection.alias in _plans:
        return _plans[connection.alias]
    quote = connection.ops.quote_name
    parts, checksum_sql = [], {}
    with connection.cursor() as cursor:
        tables = sorted(
            t
            for t in connection.introspection.table_names(cursor)
            if not t.startswith(NOT_DATA_PREFIXES)
        )
        for table in tables:
            pk = connection.introspection.get_primary_key_column(cursor, table)
            highest = f"CAST(MAX({quote(pk)}) AS TEXT)" if pk else "NULL"
            parts.append(f"SELECT '{table}', COUNT(*), {highest} FROM {quote(table)}")
            if table in CHECKSUMMED:
                skip = NOT_COMPARED_COLUMNS.get(table, set())
                cursor.execute(f"SELECT * FROM {quote(table)} WHERE 1 = 0")
                columns = [quote(c[0]) for c in cursor.description if c[0] not in skip]
                order = quote(pk) if pk else "1"
                checksum_sql[table] = (
                    f"SELECT {', '.join(columns)} FROM {quote(table)} ORDER BY {order}"
                )
    _plans[connection.alias] = _Plan(" UNION ALL ".join(parts), checksum_sql)
    return _plans[connection.alias]


def _digest(rows: list[tuple[Any, ...]]) -> str:
    normal = [
        tuple(bytes(v) if isinstance(v, memoryview | bytearray) else v for v in row) for row in rows
    ]
    return hashlib.sha256(repr(normal).encode()).hexdigest()[:16]


Snapshot = dict[str, tuple[int, str | None, str]]


def snapshot() -> Snapshot:
    """Per table: row count, highest id, and a checksum of the rows (checksummed tables only)."""
    plan = _plan()
    with connection.cursor() as cursor:
        cursor.execute(plan.counts_sql)
        counts = {table: (count, highest) for table, count, highest in cursor.fetchall()}
        sums = {}
        for table, sql in plan.checksum_sql.items():
            cursor.execute(sql)
            sums[table] = _digest(cursor.fetchall())
    return {table: (*counts[table], sums.get(table, "")) for table in counts}


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs, one phrase per table: ``"auth_user: rows changed"``."""
    found = []
    for table in sorted(before.keys() | after.keys()):
        (n0, id0, sum0), (n1, id1, sum1) = before.get(table), after.get(table)  # type: ignore[misc]
        if (n0, id0) != (n1, id1):
            found.append(f"{table}: {n0}→{n1} rows, highest id {id0}→{id1}")
        elif sum0 != sum1:
            found.append(f"{table}: rows changed")
    return found
