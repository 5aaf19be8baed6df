"""Set-password links for invited owners: signed, tied to the password, and short-lived.

A token is a hash over the user's password hash and last login, so it dies once the owner sets a
password or signs in (a reused link fails); it also expires after ``INVITATION_DAYS``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from ..conf import setting


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "suppression.portal.InvitationTokenGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        valid = any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        lifetime = timedelta(days=setting("INVITATION_DAYS")).total_seconds()
        return valid and self._num_seconds(self._now()) - ts <= lifetime


invitation_token_generator = InvitationTokenGenerator()
