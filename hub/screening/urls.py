from django.urls import path

from hub.screening.views import staff

app_name = "screening"

urlpatterns = [
    path("staff/screening/tool/", staff.tool_detail, name="tool"),
    path("staff/screening/tool/<str:version>/", staff.tool_detail, name="tool_version"),
]
