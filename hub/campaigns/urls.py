from django.urls import path

from hub.campaigns.views import public, staff

app_name = "campaigns"

urlpatterns = [
    path("campaigns/<slug:slug>/", public.campaign_detail, name="public_detail"),
    path("staff/campaigns/", staff.campaign_list, name="staff_list"),
]
