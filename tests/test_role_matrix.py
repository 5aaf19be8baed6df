"""Every admin URL and action, as every role: the status, and whether the database may change.

URLs come from the URL resolver and actions from the ModelAdmins, so a new one without a row in
MATRIX fails ``test_every_admin_url_and_action_has_an_expectation``, naming it. Each cell is
requested for real: a GET, or a POST of the form as the page rendered it to that role (every
input, select and textarea with its value, the CSRF token included, CSRF checks on). A role that
is not shown the form posts the form the superuser is shown, with its own CSRF token.

A cell is the accepted status(es), ``|``-separated (``login`` is a redirect to the sign-in page),
and a mark for the database, compared over every table before and after the request:

* no mark: nothing may change (row counts, highest ids, and the rows of the tables that change
  in place; sessions and sign-in bookkeeping excepted);
* ``+``: it must change (the role may do this, and the rendered form really saves);
* ``~``: other fields may be saved, but nobody's superuser flag, role group or permission changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from suppression import services
from suppression.console.models import AuditEntry
from suppression.listcheck.models import ListCheck
from suppression.models import (
    ApiClient,
    BounceEvent,
    EmailAddress,
    Incident,
    ResumeBatch,
    School,
    SourceLiveness,
    Suppression,
    SuppressionChange,
)
from suppression.roles import AUDITOR_ROLE, SCHOOL_OWNER, SUPPORT_AGENT, SUPPORT_LEAD
from suppression.services import waves
from suppression.services.api_clients import api_client_create, api_client_revoke
from suppression.services.ingest import unparsed_keep
from suppression.services.owners import inquiry_submit
from suppression.services.waves import WaveCriteria, batch_create
from suppression.taxonomy import Reason

from .factories import SchoolFactory, UserFactory, bounce, owner_of, user_in_role
from .rolematrix import (
    AdminUrl,
    RenderedForm,
    admin_actions,
    admin_urls,
    app_labels,
    changes,
    forms_in,
    outcome,
    pick_form,
    snapshot,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "agent", "lead", "auditor", "owner", "superuser")
PASSWORD = "kwiga-test"  # every fixture user's (tests/factories.py)
NEW_PASSWORD = "Matrix-new-pass-4821"
L = "login"  # 302 to /admin/login/?next=…
V = "200|403|405"  # a history version shown again, refused, or not for POST: but never saved
N = "404|405"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py

# "url key[@target][+variant]": the key is the URL's name in the admin (or app_model.action for an
# action, posted to the changelist); the target picks the object (build_world); the variant
# changes the rendered values before posting (VARIANTS).
# fmt: off
MATRIX: list[tuple[str, str, str, str, str, str, str, str]] = [
    # url key[@target][+variant]                    method  anon    agent   lead    auditor owner   superuser
    # The site: sign-in, sign-out, own password, lookups.
    ("index",                                       "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("index",                                       "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("login",                                       "GET",  "200",  "302",  "302",  "302",  "302",  "302"),
    ("login",                                       "POST", "200",  "200",  "200",  "200",  "302",  "200"),
    ("login+agent-password",                        "POST", "302",  "302",  "302",  "302",  "302",  "302"),
    # An owner's password at the console's sign-in: sent to the portal's, not signed in here.
    ("login+owner-password",                        "POST", "302",  "302",  "302",  "302",  "302",  "302"),
    ("logout",                                      "GET",  "302",  "405",  "405",  "405",  "302",  "405"),
    ("logout",                                      "POST", "302",  "200",  "200",  "200",  "302",  "200"),
    ("password_change",                             "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("password_change",                             "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("password_change+own-password",                "POST", L,      "302+", "302+", "302+", L,      "302+"),
    ("password_change_done",                        "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("password_change_done",                        "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("autocomplete",                                "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("autocomplete",                                "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("jsi18n",                                      "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("jsi18n",                                      "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("view_on_site",                                "GET",  L,      "404",  "404",  "404",  L,      "404"),
    ("view_on_site",                                "POST", L,      "404",  "404",  "404",  L,      "404"),
    ("app_list@suppression",                        "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("app_list@suppression",                        "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("app_list@auth",                               "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("app_list@auth",                               "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("catch_all",                                   "GET",  L,      "404",  "404",  "404",  L,      "404"),
    ("catch_all",                                   "POST", L,      "404",  "404",  "404",  L,      "404"),
    # Schools: leads edit them and their owners; nobody deletes one that has bounces.
    ("suppression_school_changelist",               "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_school_changelist",               "POST", L,      "200",  "200",  "200",  L,      "302"),
    ("suppression_school_add",                      "GET",  L,      "403",  "200",  "403",  L,      "200"),
    ("suppression_school_add",                      "POST", L,      "403",  "200",  "403",  L,      "200"),
    ("suppression_school_add+new-school",           "POST", L,      "403",  "302+", "403",  L,      "302+"),
    ("suppression_school_change",                   "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_school_change",                   "POST", L,      "403",  "302+", "403",  L,      "302+"),
    ("suppression_school_delete",                   "GET",  L,      "403",  "403",  "403",  L,      "200"),
    ("suppression_school_delete",                   "POST", L,      "403",  "403",  "403",  L,      "200"),
    ("suppression_school_history",                  "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_school_history",                  "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_school_legacy",                   "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_school_legacy",                   "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_school_simple_history",           "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_school_simple_history",           "POST", L,      V,      V,      V,      L,      V),
    ("suppression_school_simple_history@abc",       "GET",  L,      "404",  "404",  "404",  L,      "404"),
    ("suppression_school_simple_history@abc",       "POST", L,      N,      N,      N,      L,      N),
    ("suppression_school.delete_selected",          "POST", L,      "200",  "200",  "200",  L,      "200"),
    # Inviting an owner to a school: leads (and superusers).
    ("suppression_school_invite_owner",             "GET",  L,      "403",  "200",  "403",  L,      "200"),
    ("suppression_school_invite_owner",             "POST", L,      "403",  "200",  "403",  L,      "200"),
    ("suppression_school_invite_owner+new-owner",   "POST", L,      "403",  "302+", "403",  L,      "302+"),
    # List checks: agents and leads run one for a school; every console role reads them.
    # Nobody edits or deletes one (the retention setting does); the run form posted without a
    # file is invalid; retrying a finished check changes nothing.
    ("suppression_listcheck_changelist",            "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_listcheck_changelist",            "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_listcheck_add",                   "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_listcheck_add",                   "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_listcheck_change",                "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_listcheck_change",                "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_listcheck_delete",                "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_listcheck_delete",                "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_listcheck_history",               "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_listcheck_history",               "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_listcheck_legacy",                "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_listcheck_legacy",                "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_listcheck_run",                   "GET",  L,      "200",  "200",  "403",  L,      "200"),
    ("suppression_listcheck_run",                   "POST", L,      "200",  "200",  "403",  L,      "200"),
    ("suppression_listcheck_result",                "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_listcheck_result",                "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_listcheck_report",                "GET",  L,      "404",  "404",  "404",  L,      "404"),
    ("suppression_listcheck_report",                "POST", L,      "404",  "404",  "404",  L,      "404"),
    ("suppression_listcheck_clean",                 "GET",  L,      "404",  "404",  "404",  L,      "404"),
    ("suppression_listcheck_clean",                 "POST", L,      "404",  "404",  "404",  L,      "404"),
    ("suppression_listcheck_retry",                 "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_listcheck_retry",                 "POST", L,      "302",  "302",  "403",  L,      "302"),
    ("suppression_listcheck.delete_selected",       "POST", L,      "200",  "200",  "200",  L,      "200"),
    # Owners' questions: read by staff, answered by those who decide requests (agents, leads).
    ("suppression_addressinquiry_changelist",       "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_addressinquiry_changelist",       "POST", L,      "302",  "302",  "200",  L,      "302"),
    ("suppression_addressinquiry_add",              "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_addressinquiry_add",              "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_addressinquiry_change",           "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_addressinquiry_change",           "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_addressinquiry_delete",           "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_addressinquiry_delete",           "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_addressinquiry_history",          "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_addressinquiry_history",          "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_addressinquiry_legacy",           "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_addressinquiry_legacy",           "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_addressinquiry_simple_history",   "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_addressinquiry_simple_history",   "POST", L,      V,      V,      V,      L,      V),
    ("suppression_addressinquiry_simple_history@abc", "GET", L,     "404",  "404",  "404",  L,      "404"),
    ("suppression_addressinquiry_simple_history@abc", "POST", L,    N,      N,      N,      L,      N),
    ("suppression_addressinquiry.mark_answered",    "POST", L,      "302+", "302+", "200",  L,      "302+"),
    ("suppression_addressinquiry.delete_selected",  "POST", L,      "302",  "302",  "200",  L,      "302"),
    # The audit log and its CSV export: every staff role reads them; nothing there writes.
    ("suppression_auditentry_changelist",           "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_auditentry_changelist",           "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_auditentry_export",               "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_auditentry_export",               "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_auditentry.delete_selected",      "POST", L,      "405",  "405",  "405",  L,      "405"),
    # Addresses, suppressions, events, the changes feed: read-only for everyone, superuser too.
    ("suppression_emailaddress_changelist",         "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_emailaddress_changelist",         "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_emailaddress_add",                "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_emailaddress_add",                "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_emailaddress_change",             "GET",  L,      "200",  "200",  "200",  L,      "200"),
    # The case page replaces the change form: read by every staff role, never a POST target.
    ("suppression_emailaddress_change",             "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_emailaddress_find",               "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_emailaddress_find",               "POST", L,      "405",  "405",  "405",  L,      "405"),
    # Suppress by hand (agents and leads, with a reason) on an address that sends today.
    ("suppression_emailaddress_suppress@sending",   "GET",  L,      "200",  "200",  "403",  L,      "200"),
    ("suppression_emailaddress_suppress@sending",   "POST", L,      "200",  "200",  "403",  L,      "200"),
    ("suppression_emailaddress_suppress@sending+why", "POST", L,    "302+", "302+", "403",  L,      "302+"),
    ("suppression_emailaddress_suppress+why",       "POST", L,      "200",  "200",  "403",  L,      "200"),
    # A request recorded on the owner's behalf, in the owner's words.
    ("suppression_emailaddress_ask",                "GET",  L,      "200",  "200",  "403",  L,      "200"),
    ("suppression_emailaddress_ask",                "POST", L,      "200",  "200",  "403",  L,      "200"),
    ("suppression_emailaddress_ask+owners-words",   "POST", L,      "302+", "302+", "403",  L,      "302+"),
    ("suppression_emailaddress_delete",             "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_emailaddress_delete",             "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_emailaddress_history",            "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_emailaddress_history",            "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_emailaddress_legacy",             "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_emailaddress_legacy",             "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_emailaddress_simple_history",     "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_emailaddress_simple_history",     "POST", L,      V,      V,      V,      L,      V),
    ("suppression_emailaddress_simple_history@abc", "GET",  L,      "404",  "404",  "404",  L,      "404"),
    ("suppression_emailaddress_simple_history@abc", "POST", L,      N,      N,      N,      L,      N),
    ("suppression_emailaddress.delete_selected",    "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppression_changelist",          "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppression_changelist",          "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppression_add",                 "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_suppression_add",                 "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_suppression_change",              "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppression_change",              "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_suppression_delete",              "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_suppression_delete",              "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_suppression_history",             "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppression_history",             "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_suppression_legacy",              "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_suppression_legacy",              "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_suppression_simple_history",      "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppression_simple_history",      "POST", L,      V,      V,      V,      L,      V),
    ("suppression_suppression_simple_history@abc",  "GET",  L,      "404",  "404",  "404",  L,      "404"),
    ("suppression_suppression_simple_history@abc",  "POST", L,      N,      N,      N,      L,      N),
    ("suppression_suppression.delete_selected",     "POST", L,      "200",  "200",  "200",  L,      "200"),
    # Incidents: everyone on staff reads them; a lead lifts a pause early, with a note.
    ("suppression_incident_changelist",             "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_incident_changelist",             "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_incident_add",                    "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_incident_add",                    "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_incident_change",                 "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_incident_change",                 "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_incident_delete",                 "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_incident_delete",                 "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_incident_history",                "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_incident_history",                "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_incident_legacy",                 "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_incident_legacy",                 "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_incident_simple_history",         "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_incident_simple_history",         "POST", L,      V,      V,      V,      L,      V),
    ("suppression_incident_simple_history@abc",     "GET",  L,      "404",  "404",  "404",  L,      "404"),
    ("suppression_incident_simple_history@abc",     "POST", L,      N,      N,      N,      L,      N),
    ("suppression_incident.delete_selected",        "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_incident_lift",                   "GET",  L,      "403",  "200",  "403",  L,      "200"),
    ("suppression_incident_lift",                   "POST", L,      "403",  "200",  "403",  L,      "200"),
    ("suppression_incident_lift+lift-note",         "POST", L,      "403",  "302+", "403",  L,      "302+"),
    # Resume batches (undo a wave): a lead selects, previews, resumes, and may undo.
    ("suppression_resumebatch_changelist",          "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_resumebatch_changelist",          "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_resumebatch_add",                 "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_resumebatch_add",                 "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_resumebatch_change",              "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_resumebatch_change",              "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_resumebatch_delete",              "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_resumebatch_delete",              "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_resumebatch_history",             "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_resumebatch_history",             "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_resumebatch_legacy",              "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_resumebatch_legacy",              "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_resumebatch_simple_history",      "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_resumebatch_simple_history",      "POST", L,      V,      V,      V,      L,      V),
    ("suppression_resumebatch_simple_history@abc",  "GET",  L,      "404",  "404",  "404",  L,      "404"),
    ("suppression_resumebatch_simple_history@abc",  "POST", L,      N,      N,      N,      L,      N),
    ("suppression_resumebatch.delete_selected",     "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_resumebatch_wave",                "GET",  L,      "403",  "200",  "403",  L,      "200"),
    ("suppression_resumebatch_wave",                "POST", L,      "403",  "200",  "403",  L,      "200"),
    ("suppression_resumebatch_wave+wave",           "POST", L,      "403",  "302+", "403",  L,      "302+"),
    ("suppression_resumebatch_undo",                "GET",  L,      "403",  "200",  "403",  L,      "200"),
    ("suppression_resumebatch_undo",                "POST", L,      "403",  "200",  "403",  L,      "200"),
    ("suppression_resumebatch_undo+undo-note",      "POST", L,      "403",  "302+", "403",  L,      "302+"),
    ("suppression_bounceevent_changelist",          "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_bounceevent_changelist",          "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_bounceevent_add",                 "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_bounceevent_add",                 "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_bounceevent_change",              "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_bounceevent_change",              "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_bounceevent_delete",              "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_bounceevent_delete",              "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_bounceevent_history",             "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_bounceevent_history",             "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_bounceevent_legacy",              "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_bounceevent_legacy",              "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_bounceevent.delete_selected",     "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_bounceevent_raw",                 "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_bounceevent_raw",                 "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_suppressionchange_changelist",    "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppressionchange_changelist",    "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppressionchange_add",           "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_suppressionchange_add",           "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_suppressionchange_change",        "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppressionchange_change",        "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_suppressionchange_delete",        "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_suppressionchange_delete",        "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_suppressionchange_history",       "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppressionchange_history",       "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_suppressionchange_legacy",        "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_suppressionchange_legacy",        "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_suppressionchange.delete_selected", "POST", L,    "200",  "200",  "200",  L,      "200"),
    # Requests: agents and leads decide on the case page's forms (below), within the guards.
    ("suppression_reinstatementrequest_changelist", "GET",  L,      "200",  "200",  "200",  L,      "200"),
    # The queue shows no POST form; a bare POST reaches the stock changelist and changes nothing.
    ("suppression_reinstatementrequest_changelist", "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_reinstatementrequest_add",        "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_reinstatementrequest_add",        "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_reinstatementrequest_change",     "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_reinstatementrequest_change",     "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_reinstatementrequest_delete",     "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_reinstatementrequest_delete",     "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_reinstatementrequest_history",    "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_reinstatementrequest_history",    "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_reinstatementrequest_legacy",     "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_reinstatementrequest_legacy",     "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_reinstatementrequest_simple_history",          "GET",  L, "200", "200", "200", L, "200"),
    ("suppression_reinstatementrequest_simple_history@complaint", "POST", L, V,    V,     V,     L, V),
    ("suppression_reinstatementrequest_simple_history@abc",      "GET",  L, "404", "404", "404", L, "404"),
    ("suppression_reinstatementrequest_simple_history@abc",      "POST", L, N,     N,     N,     L, N),
    # Resume sending and Reject: a note, then a confirmation; guards re-checked by the service.
    ("suppression_reinstatementrequest_resume",                "GET",  L, "200",  "200",  "403", L, "200"),
    ("suppression_reinstatementrequest_resume",                "POST", L, "200",  "200",  "403", L, "200"),
    ("suppression_reinstatementrequest_resume+note",           "POST", L, "200",  "200",  "403", L, "200"),
    ("suppression_reinstatementrequest_resume+confirmed",      "POST", L, "302+", "302+", "403", L, "302+"),
    ("suppression_reinstatementrequest_resume@complaint+confirmed", "POST", L, "200", "200", "403", L, "200"),
    ("suppression_reinstatementrequest_resume@complaint+override",  "POST", L, "200", "302+", "403", L, "302+"),
    ("suppression_reinstatementrequest_reject",                "GET",  L, "200",  "200",  "403", L, "200"),
    ("suppression_reinstatementrequest_reject",                "POST", L, "200",  "200",  "403", L, "200"),
    ("suppression_reinstatementrequest_reject+confirmed",      "POST", L, "302+", "302+", "403", L, "302+"),
    ("suppression_reinstatementrequest.delete_selected",            "POST", L, "200",  "200",  "200", L, "200"),
    # Unreadable bounce messages: read by staff; a superuser may delete one.
    ("suppression_unparsedmessage_changelist",      "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_unparsedmessage_changelist",      "POST", L,      "200",  "200",  "200",  L,      "302"),
    ("suppression_unparsedmessage_add",             "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_unparsedmessage_add",             "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_unparsedmessage_change",          "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_unparsedmessage_change",          "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_unparsedmessage_delete",          "GET",  L,      "403",  "403",  "403",  L,      "200"),
    ("suppression_unparsedmessage_delete",          "POST", L,      "403",  "403",  "403",  L,      "302+"),
    ("suppression_unparsedmessage_history",         "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_unparsedmessage_history",         "POST", L,      "200",  "200",  "200",  L,      "200"),
    # Source liveness: one read-only page (suppression/adminliveness.py), no object pages.
    ("suppression_sourceliveness_changelist",       "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_sourceliveness_changelist",       "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_sourceliveness.delete_selected",  "POST", L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_unparsedmessage_legacy",          "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_unparsedmessage_legacy",          "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_unparsedmessage.delete_selected", "POST", L,      "200",  "200",  "200",  L,      "302+"),
    # API clients: leads rename and revoke; tokens are issued by a command; history never revives one.
    ("suppression_apiclient_changelist",            "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_apiclient_changelist",            "POST", L,      "200",  "302",  "200",  L,      "302"),
    ("suppression_apiclient_add",                   "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_apiclient_add",                   "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_apiclient_change",                "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_apiclient_change",                "POST", L,      "403",  "302+", "403",  L,      "302+"),
    ("suppression_apiclient_delete",                "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_apiclient_delete",                "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("suppression_apiclient_history",               "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("suppression_apiclient_history",               "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("suppression_apiclient_legacy",                "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_apiclient_legacy",                "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("suppression_apiclient_simple_history@revoked",     "GET",  L, "200",  "200",  "200",  L,      "200"),
    ("suppression_apiclient_simple_history@revoked",     "POST", L, V,      V,      V,      L,      V),
    ("suppression_apiclient_simple_history@abc",    "GET",  L,      "404",  "404",  "404",  L,      "404"),
    ("suppression_apiclient_simple_history@abc",    "POST", L,      N,      N,      N,      L,      N),
    ("suppression_apiclient.revoke",                "POST", L,      "200",  "302+", "200",  L,      "302+"),
    ("suppression_apiclient.delete_selected",       "POST", L,      "200",  "302",  "200",  L,      "302"),
    # Users: leads manage agents and owners, only a superuser touches leads, auditors and
    # superusers, and nobody deletes a user (they are deactivated).
    ("auth_user_changelist",                        "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("auth_user_changelist",                        "POST", L,      "200",  "200",  "200",  L,      "200|302"),
    ("auth_user_add",                               "GET",  L,      "403",  "200",  "403",  L,      "200"),
    ("auth_user_add",                               "POST", L,      "403",  "200",  "403",  L,      "200"),
    ("auth_user_add+new-user",                      "POST", L,      "403",  "302+", "403",  L,      "302+"),
    ("auth_user_change@agent",                      "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("auth_user_change@agent",                      "POST", L,      "403",  "302+", "403",  L,      "302+"),
    ("auth_user_change@owner",                      "POST", L,      "403",  "302+", "403",  L,      "302+"),
    ("auth_user_change@lead",                       "POST", L,      "403",  "403",  "403",  L,      "302+"),
    ("auth_user_change@auditor",                    "POST", L,      "403",  "403",  "403",  L,      "302+"),
    ("auth_user_change@superuser",                  "POST", L,      "403",  "403",  "403",  L,      "302+"),
    ("auth_user_change@agent+superuser",            "POST", L,      "403",  "200|302|403~", "403", L, "302+"),
    ("auth_user_change@lead+superuser",             "POST", L,      "403",  "200|302|403~", "403", L, "302+"),
    ("auth_user_change@agent+lead-group",           "POST", L,      "403",  "200|302|403~", "403", L, "302+"),
    ("auth_user_change@owner+agent-group",          "POST", L,      "403",  "302+", "403",  L,      "302+"),
    ("auth_user_password_change@agent",             "GET",  L,      "403",  "200",  "403",  L,      "200"),
    ("auth_user_password_change@agent",             "POST", L,      "403",  "200",  "403",  L,      "200"),
    ("auth_user_password_change@agent+new-password",     "POST", L, "403",  "302+", "403",  L,      "302+"),
    ("auth_user_password_change@auditor",           "GET",  L,      "403",  "403",  "403",  L,      "200"),
    ("auth_user_password_change@auditor+new-password",   "POST", L, "403",  "403",  "403",  L,      "302+"),
    ("auth_user_password_change@superuser+new-password", "POST", L, "403",  "403",  "403",  L,      "302+"),
    ("auth_user_delete@agent",                      "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("auth_user_delete@agent",                      "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("auth_user_history@agent",                     "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("auth_user_history@agent",                     "POST", L,      "405",  "405",  "405",  L,      "405"),
    ("auth_user_simple_history@agent",              "GET",  L,      "200",  "200",  "200",  L,      "200"),
    ("auth_user_simple_history@agent",              "POST", L,      V,      V,      V,      L,      V),
    ("auth_user_legacy@agent",                      "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("auth_user_legacy@agent",                      "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("auth_user.delete_selected@agent",             "POST", L,      "200",  "200",  "200",  L,      "200|302"),
    # Groups (the roles): defined in roles.py and synced by migrate; shown, changed by nobody.
    ("auth_group_changelist",                       "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("auth_group_changelist",                       "POST", L,      "403",  "200",  "200",  L,      "200"),
    ("auth_group_add",                              "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("auth_group_add",                              "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("auth_group_add+new-group",                    "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("auth_group_change",                           "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("auth_group_change",                           "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("auth_group_delete",                           "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("auth_group_delete",                           "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("auth_group_history",                          "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("auth_group_history",                          "POST", L,      "403",  "200",  "200",  L,      "200"),
    ("auth_group_legacy",                           "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("auth_group_legacy",                           "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("auth_group.delete_selected",                  "POST", L,      "403",  "200",  "200",  L,      "200"),
    # Sign-in lockouts (django-axes): leads and superusers unlock, auditors look, agents do not see.
    ("app_list@axes",                               "GET",  L,      "404",  "200",  "200",  L,      "200"),
    ("app_list@axes",                               "POST", L,      "404",  "200",  "200",  L,      "200"),
    ("axes_accessattempt_changelist",               "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accessattempt_changelist",               "POST", L,      "403",  "302",  "200",  L,      "302"),
    ("axes_accessattempt_add",                      "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accessattempt_add",                      "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accessattempt_change",                   "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accessattempt_change",                   "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accessattempt_delete",                   "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accessattempt_delete",                   "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accessattempt_history",                  "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accessattempt_history",                  "POST", L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accessattempt_legacy",                   "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("axes_accessattempt_legacy",                   "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("axes_accessattempt.unlock",                   "POST", L,      "403",  "302+", "200",  L,      "302+"),
    ("axes_accessattempt.delete_selected",          "POST", L,      "403",  "302",  "200",  L,      "302"),
    ("axes_accessfailurelog_changelist",            "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accessfailurelog_changelist",            "POST", L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accessfailurelog_add",                   "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accessfailurelog_add",                   "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accessfailurelog_change",                "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accessfailurelog_change",                "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accessfailurelog_delete",                "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accessfailurelog_delete",                "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accessfailurelog_history",               "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accessfailurelog_history",               "POST", L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accessfailurelog_legacy",                "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("axes_accessfailurelog_legacy",                "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("axes_accessfailurelog.delete_selected",       "POST", L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accesslog_changelist",                   "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accesslog_changelist",                   "POST", L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accesslog_add",                          "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accesslog_add",                          "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accesslog_change",                       "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accesslog_change",                       "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accesslog_delete",                       "GET",  L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accesslog_delete",                       "POST", L,      "403",  "403",  "403",  L,      "403"),
    ("axes_accesslog_history",                      "GET",  L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accesslog_history",                      "POST", L,      "403",  "200",  "200",  L,      "200"),
    ("axes_accesslog_legacy",                       "GET",  L,      "302",  "302",  "302",  L,      "302"),
    ("axes_accesslog_legacy",                       "POST", L,      "302",  "302",  "302",  L,      "302"),
    ("axes_accesslog.delete_selected",              "POST", L,      "403",  "200",  "200",  L,      "200"),
]
# fmt: on


def _group_ids(*names: str) -> list[str]:
    return [str(pk) for pk in Group.objects.filter(name__in=names).values_list("pk", flat=True)]


# Values typed over the rendered ones before posting. A change to a user asks why (audit trail).
WHY = {"why": "Matrix: checking what this role may do."}
VARIANTS: dict[str, Callable[[], dict[str, Any]]] = {
    "agent-password": lambda: {"username": "agent", "password": PASSWORD},
    "owner-password": lambda: {"username": "owner", "password": PASSWORD},
    "own-password": lambda: {
        "old_password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    },
    "new-password": lambda: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **WHY},
    "new-school": lambda: {"name": "Matrix School", "slug": "matrix-school"},
    "new-user": lambda: {
        "username": "matrix-user",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **WHY,
    },
    "new-owner": lambda: {"email": "new-owner@example.com"},
    "lift-note": lambda: {"note": "Delisted by Spamhaus."},
    "wave": lambda: {"domain": "outlook.example", "note": "A blocklisting wave."},
    "undo-note": lambda: {"note": "It was the recipients after all."},
    "new-group": lambda: {"name": "Matrix group"},
    "superuser": lambda: {"is_superuser": "on", "is_staff": "on", **WHY},
    "lead-group": lambda: {"groups": _group_ids(SUPPORT_LEAD), **WHY},
    "agent-group": lambda: {"groups": _group_ids(SUPPORT_AGENT), **WHY},
    "why": lambda: {"reason": "unknown", "note": "Matrix: the client asked us to stop."},
    "owners-words": lambda: {"explanation": "Matrix: the owner wrote that the client fixed it."},
    # The case page's decision forms: the note alone asks for a confirmation; confirmed, it acts.
    "note": lambda: {"note": "Matrix: checked the history."},
    "confirmed": lambda: {"note": "Matrix: checked the history.", "confirmed": "yes"},
    "override": lambda: {
        "note": "Matrix: checked the history.",
        "override_reason": "Matrix: the recipient asked for the mail again.",
        "confirmed": "yes",
    },
}


def privileges() -> frozenset[tuple[str, ...]]:
    """Who is superuser, who holds a role above agent or owner, who has a permission of their own."""
    ordinary = [SUPPORT_AGENT, SCHOOL_OWNER]
    return frozenset(
        [
            ("superuser", u)
            for u in User.objects.filter(is_superuser=True).values_list("username", flat=True)
        ]
        + list(
            User.groups.through.objects.exclude(group__name__in=ordinary).values_list(
                "user__username", "group__name"
            )
        )
        + list(
            User.user_permissions.through.objects.values_list(
                "user__username", "permission__codename"
            )
        )
    )


@dataclass(frozen=True)
class Case:
    spec: str  # "key@target+variant"
    method: str
    role: str
    cell: str

    @property
    def key(self) -> str:
        return self.spec.split("@")[0].split("+")[0]

    @property
    def target(self) -> str:
        return self.spec.split("+")[0].partition("@")[2]

    @property
    def variant(self) -> str:
        return self.spec.partition("+")[2]

    @property
    def statuses(self) -> set[str]:
        return set(self.cell.rstrip("+~").split("|"))

    @property
    def mark(self) -> str:
        return self.cell[-1] if self.cell[-1] in "+~" else ""

    def __str__(self) -> str:
        return f"{self.spec}-{self.method}-{self.role}"


CASES = [
    Case(spec, method, role, cell)
    for spec, method, *cells in MATRIX
    for role, cell in zip(ROLES, cells, strict=True)
]


@dataclass
class World:
    """The fixture objects every URL's ids come from, built once per module through the services."""

    users: dict[str, User]
    objects: dict[str, Any]  # "app_model" or "app_model@target" → instance
    sessions: dict[str, str] = field(default_factory=dict)  # role → session key, signed in once
    # (role, path) → the forms the page showed and the CSRF cookie they belong to. Every test
    # starts from the same database state, so a page renders the same for the same role.
    pages: dict[tuple[str, str], tuple[list[RenderedForm], str]] = field(default_factory=dict)

    def obj(self, model: str, target: str) -> Any:
        return self.objects[f"{model}@{target}" if target else model]

    def url(self, case: Case, spec: AdminUrl) -> str:
        if "." in case.key:  # an action: posted to the model's changelist
            return reverse(f"admin:{case.key.split('.')[0]}_changelist")
        if spec.model:
            if spec.kind in ("changelist", "add", "run", "find", "wave", "export"):  # no object
                return reverse(f"admin:{spec.key}")
            obj = self.obj(spec.model, "" if case.target == "abc" else case.target)
            if spec.kind == "legacy":
                return reverse(f"admin:{spec.model}_change", args=[obj.pk]).removesuffix("change/")
            if spec.kind == "simple_history":
                version = "abc" if case.target == "abc" else obj.history.earliest().history_id
                return reverse(f"admin:{spec.key}", args=[obj.pk, version])
            return reverse(f"admin:{spec.key}", args=[obj.pk])
        if spec.key == "app_list":
            return reverse("admin:app_list", kwargs={"app_label": case.target})
        if spec.key == "view_on_site":
            school = self.objects["suppression_school"]
            return reverse(
                "admin:view_on_site", args=[ContentType.objects.get_for_model(School).pk, school.pk]
            )
        if spec.key == "autocomplete":
            query = "app_label=suppression&model_name=schoolmembership&field_name=user&term=o"
            return f"{reverse('admin:autocomplete')}?{query}"
        if spec.key == "catch_all":
            return f"{reverse('admin:index')}no-such-page/"
        return reverse(f"admin:{spec.key}")

    def client(self, role: str) -> Client:
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if role != "anonymous":
            if role not in self.sessions:
                client.force_login(self.users[role])
                self.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client

    def remember(self, role: str, client: Client, path: str, response: HttpResponse) -> None:
        shown = response.status_code == 200 and "html" in response.get("Content-Type", "")
        cookie = client.cookies.get(settings.CSRF_COOKIE_NAME)
        self.pages[role, path] = (
            forms_in(response.content.decode()) if shown else [],
            cookie.value if cookie and shown else "",
        )

    def form(self, role: str, path: str, form_id: str) -> tuple[RenderedForm | None, str]:
        """The form ``role`` is shown at ``path`` and the CSRF cookie it goes with."""
        if (role, path) not in self.pages:
            client = self.client(role)
            self.remember(role, client, path, client.get(path))
        forms, cookie = self.pages.get((role, path), ([], ""))
        return pick_form(forms, form_id), cookie

    def post_data(self, client: Client, role: str, case: Case, url: str) -> dict[str, Any]:
        """The form as the page rendered it to ``role`` (else to the superuser), plus overrides."""
        page, form_id, overrides = url, "", VARIANTS[case.variant]() if case.variant else {}
        if case.key == "logout":
            page, form_id = reverse("admin:index"), "logout-form"
        if "." in case.key:
            model, action = case.key.split(".")
            form_id = "changelist-form"
            overrides = {
                "action": action,
                "_selected_action": [str(self.obj(model, case.target).pk)],
                "index": "0",
                "select_across": "0",
                "post": "yes",  # the confirmation step's answer, for actions that ask
            }
        form, cookie = self.form(role, page, form_id)
        if form is None:  # not shown to this role: post what the superuser (or a visitor) sees
            form = self.form("superuser", page, form_id)[0] or self.form("anonymous", page, "")[0]
            cookie = ""
        data: dict[str, Any] = form.values() if form else {}
        if not cookie or "csrfmiddlewaretoken" not in data:
            cookie = get_random_string(32)
            data["csrfmiddlewaretoken"] = [cookie]
        client.cookies[settings.CSRF_COOKIE_NAME] = cookie
        data.update(overrides)
        return data


def build_world() -> World:
    school = SchoolFactory(name="Demo School", slug="demo-school")
    users = {
        "agent": user_in_role("agent", SUPPORT_AGENT),
        "lead": user_in_role("lead", SUPPORT_LEAD),
        "auditor": user_in_role("auditor", AUDITOR_ROLE),
        "owner": owner_of(school, "owner"),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    bounce("gone@example.com", Reason.MAILBOX_UNKNOWN, school=school)
    bounce("fixed@example.com", Reason.MAILBOX_UNKNOWN, school=school)
    bounce("angry@example.com", Reason.COMPLAINT, school=school)
    bounce("soft@example.com", Reason.SERVER_UNAVAILABLE, school=school)  # one soft: sending
    explanation = "The client created the mailbox again."
    pending = services.request_submit(
        email="fixed@example.com", school=school, actor=users["owner"], explanation=explanation
    )
    complaint = services.request_submit(
        email="angry@example.com", school=school, actor=users["owner"], explanation=explanation
    )
    active = api_client_create(name="platform", scopes=["check"], actor=users["superuser"]).client
    revoked = api_client_create(name="old-platform", scopes=["check"], actor=None).client
    api_client_revoke(client=revoked, actor=users["superuser"], why="rotated out")
    address = EmailAddress.objects.get(address="gone@example.com")
    inquiry = inquiry_submit(
        school=school, actor=users["owner"], email="gone@example.com", message="Why suppressed?"
    )
    seen = {"user_agent": "matrix", "ip_address": "203.0.113.9", "username": "stranger"}
    seen |= {"http_accept": "text/html", "path_info": "/admin/login/"}
    attempt = AccessAttempt.objects.create(
        **seen, get_data="", post_data="", failures_since_start=settings.AXES_FAILURE_LIMIT
    )
    for i in range(20):  # the default threshold: one incident, pausing outlook.com's customers
        services.bounce_record(
            email=f"user{i}@contoso.example",
            source="api",
            dedupe_key=f"matrix-refusal-{i}",
            occurred_at=timezone.now(),
            reason=Reason.SENDER_REPUTATION,
            remote_mta="mx1.protection.outlook.com",
        )
    bounce("waved@outlook.example", Reason.SENDER_BLOCKED, status="5.7.1", school=school)
    bounce("waved2@outlook.example", Reason.SENDER_BLOCKED, status="5.7.1", school=school)
    batch = batch_create(
        criteria=WaveCriteria(domain="outlook.example"),
        actor=users["lead"],
        note="Blocklisted on 1 May",
    )
    waves.run(batch.pk)  # both resumed; a third address bounces after, for the wave page
    bounce("waved3@outlook.example", Reason.SENDER_BLOCKED, status="5.7.1", school=school)
    objects: dict[str, Any] = {
        "suppression_incident": Incident.objects.get(),
        "suppression_resumebatch": ResumeBatch.objects.get(pk=batch.pk),
        "suppression_school": school,
        "suppression_emailaddress": address,
        "suppression_emailaddress@sending": EmailAddress.objects.get(address="soft@example.com"),
        "suppression_suppression": Suppression.objects.get(address=address),
        "suppression_bounceevent": BounceEvent.objects.filter(address=address).get(),
        "suppression_suppressionchange": SuppressionChange.objects.filter(address=address).get(),
        "suppression_reinstatementrequest": pending,
        "suppression_reinstatementrequest@complaint": complaint,
        "suppression_unparsedmessage": unparsed_keep(
            raw=b"Subject: hello\n\nnot a bounce\n", origin="matrix", detail="no report found"
        ),
        "suppression_apiclient": active,
        "suppression_sourceliveness": SourceLiveness.objects.create(
            source="lmtp", last_delivered_at=timezone.now()
        ),
        "suppression_apiclient@revoked": ApiClient.objects.get(pk=revoked.pk),
        "auth_group": Group.objects.get(name=SUPPORT_AGENT),
        "suppression_addressinquiry": inquiry,
        "axes_accessattempt": attempt,
        "axes_accessfailurelog": AccessFailureLog.objects.create(**seen, locked_out=True),
        "axes_accesslog": AccessLog.objects.create(**seen),
        "suppression_listcheck": ListCheck.objects.create(
            school=school,
            created_by=users["agent"],
            via="console",
            file_name="crm.csv",
            folder="matrix",
            size_bytes=10,
            status="done",
            expires_at=timezone.now() + timedelta(days=7),
        ),
        "suppression_auditentry": AuditEntry.objects.order_by("pk").first(),
    }
    for name, user in users.items():
        objects[f"auth_user@{name}"] = user
    return World(users=users, objects=objects)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Built once; each test runs in a savepoint inside this transaction, rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        world = build_world()
        for role in ROLES[1:]:
            world.client(role)  # signs in once: each test's savepoint would undo the session
        yield world
        transaction.set_rollback(True)


def test_every_admin_url_and_action_has_an_expectation() -> None:
    urls, actions = admin_urls(), admin_actions()
    rows = {(c.key, c.method) for c in CASES}
    missing = sorted(
        f"{key} ({urls[key].route}) {method}"
        for key in urls
        for method in ("GET", "POST")
        if (key, method) not in rows
    )
    missing += sorted(f"action {name} POST" for name in actions if (name, "POST") not in rows)
    apps = {c.target for c in CASES if c.key == "app_list"}
    missing += sorted(f"app_list@{label}" for label in app_labels() - apps)
    unknown = sorted({c.key for c in CASES} - urls.keys() - actions.keys())
    assert not missing, f"no expectation in MATRIX for: {', '.join(missing)}"
    assert not unknown, f"MATRIX rows for URLs or actions that do not exist: {', '.join(unknown)}"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_role_matrix(case: Case, world: World) -> None:
    spec = admin_urls().get(case.key, AdminUrl(case.key, ""))
    client = world.client(case.role)
    url = world.url(case, spec)
    data = world.post_data(client, case.role, case, url) if case.method == "POST" else None
    privileged = privileges() if case.mark == "~" else None
    before = snapshot()
    response = client.post(url, data) if data is not None else client.get(url)
    after = snapshot()
    if data is None:
        world.remember(case.role, client, url, response)
    got, changed = outcome(response), changes(before, after)
    wrong = []
    if got not in case.statuses:
        wrong.append(f"the status was {got}")
    if case.mark == "" and changed:
        wrong.append("the database changed")
    if case.mark == "+" and not changed:
        wrong.append("nothing was saved")
    if case.mark == "~" and privileges() != privileged:
        wrong.append(f"privileges changed: {sorted(privileges() ^ privileged)}")
    error = f" ({response.exc_info[1]!r})" if getattr(response, "exc_info", None) else ""
    if response.has_header("Location"):
        error += f" (to {response['Location']})"
    assert not wrong, (
        f"{case.method} {url} as {case.role}: expected {case.cell}, got {got}{error}: "
        f"{'; '.join(wrong)}. Tables changed: {'; '.join(changed) or 'none'}"
    )
