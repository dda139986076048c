from django.urls import path

from hub.training.views import public, reports, staff

app_name = "training"

urlpatterns = [
    path("training/", public.session_list, name="session_list"),
    path("training/sessions.ics", public.sessions_feed, name="sessions_feed"),
    path("training/sessions/<int:pk>/", public.session_detail, name="session_detail"),
    path("training/bookings/<str:token>/", public.booking_status, name="booking_status"),
    path("training/bookings/<str:token>/cancel/", public.booking_cancel, name="booking_cancel"),
    path("training/bookings/<str:token>/accept/", public.offer_accept, name="offer_accept"),
    path("training/bookings/<str:token>/feedback/", public.feedback, name="feedback"),
    path("training/bookings/<str:token>/certificate.pdf", public.certificate_pdf, name="certificate_pdf"),
    path("training/certificates/verify/", public.certificate_verify, name="certificate_verify"),
    path("training/suggest/", public.training_request, name="training_request"),
    path("training/suggest/sent/", public.training_request_done, name="training_request_done"),
    path("staff/training/", staff.overview, name="staff_overview"),
    path("staff/training/courses/", staff.course_list, name="course_list"),
    path("staff/training/courses/new/", staff.course_create, name="course_create"),
    path("staff/training/courses/<int:pk>/edit/", staff.course_edit, name="course_edit"),
    path("staff/training/sessions/new/", staff.session_create, name="session_create"),
    path("staff/training/sessions/<int:pk>/", staff.session_detail, name="staff_session"),
    path("staff/training/sessions/<int:pk>/edit/", staff.session_edit, name="session_edit"),
    path("staff/training/sessions/<int:pk>/register/", staff.session_register, name="staff_register"),
    path("staff/training/sessions/<int:pk>/bookings.csv", staff.session_bookings_csv, name="session_bookings_csv"),
    path("staff/training/sessions/<int:pk>/message/", staff.session_message, name="session_message"),
    path("staff/training/sessions/<int:pk>/cancel/", staff.session_cancel, name="session_cancel"),
    path(
        "staff/training/sessions/<int:pk>/bookings/<int:booking_pk>/certificate.pdf",
        staff.booking_certificate,
        name="booking_certificate",
    ),
    path("staff/training/requests/", staff.request_list, name="request_list"),
    path("staff/training/requests/<int:pk>/", staff.request_detail, name="request_detail"),
    path("staff/training/reports/", reports.reports, name="reports"),
    path("staff/training/reports/<str:table>.csv", reports.reports_csv, name="reports_csv"),
]
