"""/portal/: the school is in every URL of an owner's pages (``schools/<slug>/...``)."""

from django.urls import path

from . import listcheck_views, views

app_name = "portal"

school = "schools/<slug:school>/"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.LanguageView.as_view(), name="language"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("welcome/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
    path(school, views.PausedView.as_view(), name="paused"),
    path(f"{school}resume/", views.ResumeView.as_view(), name="resume"),
    path(f"{school}ask-support/", views.AskSupportView.as_view(), name="ask_support"),
    path(
        f"{school}ask-support/sent/",
        views.AskSupportSentView.as_view(),
        name="ask_support_sent",
    ),
    path(f"{school}requests/", views.RequestListView.as_view(), name="requests"),
    path(f"{school}requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path(
        f"{school}requests/<int:pk>/withdraw/",
        views.WithdrawView.as_view(),
        name="request_withdraw",
    ),
    path(f"{school}list-check/", listcheck_views.ListCheckView.as_view(), name="list_check"),
    path(
        f"{school}list-check/<int:pk>/",
        listcheck_views.ListCheckDetailView.as_view(),
        name="list_check_detail",
    ),
    path(
        f"{school}list-check/<int:pk>/retry/",
        listcheck_views.ListCheckRetryView.as_view(),
        name="list_check_retry",
    ),
    path(
        f"{school}list-check/<int:pk>/<str:kind>.csv",
        listcheck_views.ListCheckDownloadView.as_view(),
        name="list_check_download",
    ),
]
