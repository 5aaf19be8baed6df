"""A plain Django LoginView beside the admin, as the owner portal will have one."""

from django.contrib.auth.views import LoginView
from django.urls import include, path

urlpatterns = [
    path("signin/", LoginView.as_view(template_name="admin/login.html"), name="test-signin"),
    path("", include("kwiga_mail.urls")),
]
