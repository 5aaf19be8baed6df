"""API clients in the admin: see scopes, expiry and last use; revoke or rotate with an action.

Tokens are issued (and rotated) only by ``manage.py create_api_client``, which prints the token
once: shown in the admin it would travel through the messages cookie. The admin shows the prefix.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ..adminhistory import ReadOnlyHistoryMixin
from ..models import ApiClient
from ..services.api_clients import api_client_revoke


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiClient.Scope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "expires_at"]


@admin.register(ApiClient)
class ApiClientAdmin(ReadOnlyHistoryMixin):
    list_display = [
        "name",
        "token_prefix",
        "scopes",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "created_at",
    ]
    search_fields = ["name", "=token_prefix"]
    fields = [
        "name",
        "scopes",
        "expires_at",
        "token_prefix",
        "created_at",
        "created_by",
        "revoked_at",
        "last_used_at",
    ]
    readonly_fields = ["token_prefix", "created_at", "created_by", "revoked_at", "last_used_at"]
    form = ApiClientForm
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token must be shown once: create clients with create_api_client

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoke instead: the client stays in the audit trail

    @admin.action(description="Revoke the selected clients' tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            api_client_revoke(client=client, actor=request.user, why="revoked in the admin")
        self.message_user(request, f"Revoked {queryset.count()} client(s).", messages.SUCCESS)
