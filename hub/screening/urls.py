from django.urls import path

from hub.screening.views import hub, practitioner, profile, records, staff

app_name = "screening"

urlpatterns = [
    path("staff/screening/tool/", staff.tool_detail, name="tool"),
    path("staff/screening/tool/<str:version>/", staff.tool_detail, name="tool_version"),
    # Practitioners (views/practitioner.py)
    path("staff/screening/", practitioner.screening_list, name="list"),
    path("staff/screening/new/", practitioner.screening_new, name="new"),
    path("staff/screening/<uuid:public_id>/", practitioner.screening_detail, name="detail"),
    path("staff/screening/<uuid:public_id>/edit/", practitioner.screening_edit, name="edit"),
    path("staff/screening/<uuid:public_id>/raise/", practitioner.category_raise, name="raise"),
    path("staff/screening/<uuid:public_id>/lower/", practitioner.category_lower, name="lower"),
    # -- practitioner URLs above this line --
    # The hub (views/hub.py)
    path("staff/screening/hub/", hub.queue, name="queue"),
    path("staff/screening/<uuid:public_id>/decision/", hub.decision, name="decision"),
    path("staff/screening/<uuid:public_id>/lowering/", hub.lowering_decide, name="lowering_decide"),
    path("staff/screening/child/<int:child_id>/", hub.chronology, name="chronology"),
    # -- hub URLs above this line --
    # Profile (views/profile.py)
    path("staff/screening/profile/", profile.profile, name="profile"),
    path("staff/screening/profile/<slug:table>.csv", profile.profile_csv, name="profile_csv"),
    # -- profile URLs above this line --
    # Retention and subject access (views/records.py)
    path(
        "staff/screening/child/<int:child_id>/subject-access.json",
        records.subject_access_json,
        name="subject_access_json",
    ),
    path(
        "staff/screening/child/<int:child_id>/subject-access.pdf",
        records.subject_access_pdf,
        name="subject_access_pdf",
    ),
]
