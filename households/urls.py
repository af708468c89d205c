"""URLs of the household pages and the access log."""

from django.urls import path

from households import views

urlpatterns = [
    path("", views.home, name="home"),
    path("households/", views.household_list, name="household_list"),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    path("audit/access-log/", views.access_log, name="access_log"),
    path("audit/month/", views.access_month, name="access_month"),
    path("audit/retention/", views.retention, name="retention"),
]
