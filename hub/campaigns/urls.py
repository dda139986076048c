from django.urls import path

from hub.campaigns.views import public, staff

app_name = "campaigns"

urlpatterns = [
    path("campaigns/<slug:slug>/", public.campaign_detail, name="public_detail"),
    path("campaigns/<slug:slug>/live.json", public.campaign_live, name="public_live"),
    path("campaigns/<slug:slug>/resources/<int:pk>/", public.resource_download, name="resource_download"),
    path("staff/campaigns/", staff.campaign_list, name="staff_list"),
    path("staff/campaigns/new/", staff.campaign_create, name="staff_create"),
    path("staff/campaigns/<slug:slug>/", staff.campaign_detail, name="staff_detail"),
    path("staff/campaigns/<slug:slug>/edit/", staff.campaign_edit, name="staff_edit"),
    path("staff/campaigns/<slug:slug>/preview/", staff.campaign_preview, name="staff_preview"),
    path("staff/campaigns/<slug:slug>/publish/", staff.campaign_publish, name="staff_publish"),
    path("staff/campaigns/<slug:slug>/unpublish/", staff.campaign_unpublish, name="staff_unpublish"),
    path("staff/campaigns/<slug:slug>/delete/", staff.campaign_delete, name="staff_delete"),
    path("staff/campaigns/<slug:slug>/channels/new/", staff.channel_create, name="channel_create"),
    path("staff/campaigns/<slug:slug>/channels/<int:pk>/edit/", staff.channel_edit, name="channel_edit"),
    path("staff/campaigns/<slug:slug>/channels/<int:pk>/delete/", staff.channel_delete, name="channel_delete"),
    path("staff/campaigns/<slug:slug>/resources/new/", staff.resource_create, name="resource_create"),
    path("staff/campaigns/<slug:slug>/resources/<int:pk>/edit/", staff.resource_edit, name="resource_edit"),
    path("staff/campaigns/<slug:slug>/resources/<int:pk>/delete/", staff.resource_delete, name="resource_delete"),
]
