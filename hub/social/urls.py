from django.urls import path

from hub.social.views import public, staff

app_name = "social"

urlpatterns = [
    path("staff/campaigns/<slug:slug>/social/dashboard/", staff.reach_dashboard, name="dashboard"),
    path(
        "staff/campaigns/<slug:slug>/social/dashboard/<str:table>.csv",
        staff.reach_dashboard_csv,
        name="dashboard_csv",
    ),
    path("staff/social/accounts/", staff.account_list, name="account_list"),
    path("staff/social/accounts/new/", staff.account_create, name="account_create"),
    path("staff/social/accounts/<int:pk>/edit/", staff.account_edit, name="account_edit"),
    path("staff/campaigns/<slug:slug>/social/schedule/", staff.schedule, name="schedule"),
    path("staff/campaigns/<slug:slug>/social/schedule/new/", staff.scheduled_post_create, name="scheduled_post_create"),
    path(
        "staff/campaigns/<slug:slug>/social/schedule/<int:pk>/cancel/",
        staff.scheduled_post_cancel,
        name="scheduled_post_cancel",
    ),
    path("staff/campaigns/<slug:slug>/social/schedule/<str:name>", staff.schedule_export, name="schedule_export"),
    path("campaigns/<slug:slug>/pledges/", public.pledge_wall, name="pledge_wall"),
    path("campaigns/<slug:slug>/pledges/new/", public.pledge_create, name="pledge_create"),
    path("campaigns/<slug:slug>/pledges/sent/", public.pledge_sent, name="pledge_sent"),
    path("pledges/<int:pk>/photo.jpg", public.pledge_photo, name="pledge_photo"),
    path("pledges/<int:pk>/report/", public.pledge_report, name="pledge_report"),
    path("staff/campaigns/<slug:slug>/social/pledges/", staff.pledge_queue, name="pledge_queue"),
    path("staff/campaigns/<slug:slug>/social/pledges/<int:pk>/", staff.pledge_moderate, name="pledge_moderate"),
    path("staff/campaigns/<slug:slug>/social/moment/", staff.moment_edit, name="moment_edit"),
    path("staff/campaigns/<slug:slug>/social/moment/supporters/", staff.supporter_list, name="supporter_list"),
    path("campaigns/<slug:slug>/moment/", public.moment_page, name="moment"),
    path("moment/supporters/<str:token>/", public.supporter_status, name="supporter_status"),
    path("moment/supporters/<str:token>/withdraw/", public.supporter_withdraw, name="supporter_withdraw"),
    path("staff/campaigns/<slug:slug>/social/", staff.overview, name="staff_overview"),
    path("staff/campaigns/<slug:slug>/social/posts/new/", staff.suggested_post_create, name="suggested_post_create"),
    path(
        "staff/campaigns/<slug:slug>/social/posts/<int:pk>/edit/",
        staff.suggested_post_edit,
        name="suggested_post_edit",
    ),
    path(
        "staff/campaigns/<slug:slug>/social/posts/<int:pk>/delete/",
        staff.suggested_post_delete,
        name="suggested_post_delete",
    ),
    path(
        "staff/campaigns/<slug:slug>/social/posts/<int:pk>/move/",
        staff.suggested_post_move,
        name="suggested_post_move",
    ),
]
