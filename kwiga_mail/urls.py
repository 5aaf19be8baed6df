from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from suppression.api import api
from suppression.portal.admin_login import admin_login

admin.site.site_header = "Kwiga bounce suppression"
admin.site.site_title = "Kwiga bounce suppression"
admin.site.index_title = "Support console"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/login/", admin_login, name="admin_login_for_owners"),
    path("admin/", admin.site.urls),
    path("portal/", include("suppression.portal.urls")),
    path("api/v1/", api.urls),
    path("webhooks/", include("suppression.webhooks.urls")),
]
