from django.urls import path  # noqa: F401 (used by the routes added below)

app_name = "broadcasts"

urlpatterns: list = []

from hub.broadcasts.views import contacts  # noqa: E402 (grouped with its routes)

urlpatterns += [
    path("staff/broadcasts/contacts/", contacts.contact_list, name="contact_list"),
    path("staff/broadcasts/contacts/new/", contacts.contact_create, name="contact_create"),
    path("staff/broadcasts/contacts/<int:pk>/edit/", contacts.contact_edit, name="contact_edit"),
    path("staff/broadcasts/contacts/contacts.csv", contacts.contact_export, name="contact_export"),
    path("staff/broadcasts/contacts/import/", contacts.import_upload, name="import_upload"),
    path("staff/broadcasts/contacts/import/done/", contacts.import_done, name="import_done"),
    path("staff/broadcasts/contacts/import/<str:preview_id>/", contacts.import_preview, name="import_preview"),
    path("staff/broadcasts/audiences/", contacts.audience_list, name="audience_list"),
    path("staff/broadcasts/audiences/new/", contacts.audience_create, name="audience_create"),
    path("staff/broadcasts/suppressions/", contacts.suppression_list, name="suppression_list"),
    path("staff/broadcasts/suppressions/new/", contacts.suppression_create, name="suppression_create"),
]

# Series, bulletins and previews (hub.broadcasts.views.bulletins).
from hub.broadcasts.views import bulletins  # noqa: E402 (grouped with its routes)

urlpatterns += [
    path("staff/broadcasts/series/", bulletins.series_list, name="series_list"),
    path("staff/broadcasts/series/new/", bulletins.series_create, name="series_create"),
    path("staff/broadcasts/series/<int:pk>/", bulletins.series_detail, name="series_detail"),
    path("staff/broadcasts/series/<int:pk>/edit/", bulletins.series_edit, name="series_edit"),
    path("staff/broadcasts/series/<int:pk>/bulletins/new/", bulletins.bulletin_create, name="bulletin_create"),
    path("staff/broadcasts/series/bulletins/<int:pk>/", bulletins.bulletin_detail, name="bulletin_detail"),
    path("staff/broadcasts/series/bulletins/<int:pk>/edit/", bulletins.bulletin_edit, name="bulletin_edit"),
    path("staff/broadcasts/series/bulletins/<int:pk>/preview/", bulletins.bulletin_preview, name="bulletin_preview"),
    path(
        "staff/broadcasts/series/bulletins/<int:pk>/preview/email.html",
        bulletins.bulletin_preview_email,
        name="bulletin_preview_email",
    ),
    path(
        "staff/broadcasts/series/bulletins/<int:pk>/preview/text/",
        bulletins.bulletin_preview_text,
        name="bulletin_preview_text",
    ),
    path("staff/broadcasts/series/bulletins/<int:pk>/test/", bulletins.bulletin_test_send, name="bulletin_test_send"),
]

# Sending, progress and unsubscribe (hub.broadcasts.views.sending, views.public) are added below this line.
from hub.broadcasts.views import public, sending  # noqa: E402 (grouped with its routes)

urlpatterns += [
    path("staff/broadcasts/bulletins/<int:pk>/send/", sending.send_confirm, name="send_confirm"),
    path("staff/broadcasts/bulletins/<int:pk>/progress/", sending.send_progress, name="send_progress"),
    path("staff/broadcasts/bulletins/<int:pk>/progress.json", sending.send_progress_json, name="send_progress_json"),
    path("staff/broadcasts/bulletins/<int:pk>/pause/", sending.send_pause, name="send_pause"),
    path("staff/broadcasts/bulletins/<int:pk>/resume/", sending.send_resume, name="send_resume"),
    path("bulletins/unsubscribe/<str:token>/", public.unsubscribe_page, name="unsubscribe"),
    path("bulletins/unsubscribe/<str:token>/one-click/", public.unsubscribe_one_click, name="unsubscribe_one_click"),
    path("bulletins/<slug:series>/", public.archive_series, name="archive_series"),
    path("bulletins/<slug:series>/<int:pk>/", public.archive_bulletin, name="archive_bulletin"),
]

# The partnership briefing of a campaign (hub.broadcasts.views.briefing).
from hub.broadcasts.views import briefing  # noqa: E402 (grouped with its routes)

urlpatterns += [
    path("campaigns/<slug:slug>/briefing/", briefing.briefing_page, name="briefing"),
    path("campaigns/<slug:slug>/briefing.pdf", briefing.briefing_pdf_download, name="briefing_pdf"),
    path("staff/broadcasts/briefing/<slug:slug>/send/", briefing.briefing_send, name="briefing_send"),
]
