from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from suppression.api import api

admin.site.site_header = "Kwiga bounce suppression"
admin.site.site_title = "Kwiga bounce suppression"
admin.site.index_title = "Support console"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("webhooks/", include("suppression.webhooks.urls")),
]
