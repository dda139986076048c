from django.urls import path

from hub.training.views import public

app_name = "training"

urlpatterns = [
    path("training/", public.session_list, name="session_list"),
    path("training/sessions/<int:pk>/", public.session_detail, name="session_detail"),
    path("training/bookings/<str:token>/", public.booking_status, name="booking_status"),
    path("training/bookings/<str:token>/cancel/", public.booking_cancel, name="booking_cancel"),
    path("training/bookings/<str:token>/accept/", public.offer_accept, name="offer_accept"),
]

# Reports of people trained (hub.training.views.reports) are added below this line.
