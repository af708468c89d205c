from django.urls import path

from outreach import views

urlpatterns = [
    # [4/5] visits, cases, check-ins, timeline
    path("households/<int:household_id>/work/", views.household_work, name="household_work"),
    path("households/<int:household_id>/timeline/", views.household_timeline,
         name="household_timeline"),
    path("alerts/<int:alert_id>/visit/", views.alert_schedule_visit,
         name="alert_schedule_visit"),
    path("visits/week/", views.my_visits, name="my_visits"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit_detail"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("check-ins/", views.check_ins, name="check_ins"),
]
