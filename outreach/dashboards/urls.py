"""URLs of the dashboard pages, exports and targets."""

from django.urls import path

from outreach.dashboards import views

urlpatterns = [
    path("", views.dashboard_home, name="dashboard"),
    path("district/", views.district_dashboard, name="dashboard_district"),
    path("dong/", views.dong_dashboard, name="dashboard_dong"),
    path("report/", views.monthly_report, name="dashboard_report"),
    path("targets/", views.discovery_targets, name="dashboard_targets"),
    path("export/<slug:name>/", views.dashboard_export, name="dashboard_export"),
]
