from django.contrib import admin
from django.urls import include, path

from hub.api.api import api

urlpatterns = [
    path("", include("hub.core.urls")),
    path("account/", include("hub.accounts.urls")),
    path("", include("hub.campaigns.urls")),
    path("", include("hub.training.urls")),
    path("", include("hub.social.urls")),
    path("", include("hub.broadcasts.urls")),
    path("", include("hub.screening.urls")),
    path("", include("hub.reports.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler400 = "hub.core.views.error_400"
handler403 = "hub.core.views.error_403"
handler404 = "hub.core.views.error_404"
handler500 = "hub.core.views.error_500"
