from django.urls import path

from hub.reports import views

app_name = "reports"

urlpatterns = [
    path("staff/reports/dashboard/", views.dashboard_page, name="dashboard"),
    path("staff/reports/dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
]
