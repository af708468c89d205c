from django.urls import path

from outreach import views

urlpatterns = [
    # the triage inbox
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/bulk-assign/", views.inbox_bulk_assign, name="inbox_bulk_assign"),
    path("inbox/export/", views.inbox_export, name="inbox_export"),
    path("inbox/<str:kind>/<int:item_id>/", views.inbox_item_panel, name="inbox_item"),
    path("inbox/<str:kind>/<int:item_id>/merge/", views.inbox_merge, name="inbox_merge"),
    path("inbox/<str:kind>/<int:item_id>/<str:action>/", views.inbox_action,
         name="inbox_action"),
    # risk signals and the risk model
    path("signals/", views.signal_batch_list, name="signal_batch_list"),
    path("signals/model/", views.risk_model_edit, name="risk_model_edit"),
    path("signals/<int:batch_id>/", views.signal_batch_detail, name="signal_batch_detail"),
    path("signals/<int:batch_id>/progress/", views.signal_batch_progress,
         name="signal_batch_progress"),
    path("signals/<int:batch_id>/errors.csv", views.signal_batch_errors,
         name="signal_batch_errors"),
    path("alerts/", views.alert_list, name="alert_list"),
    # visits, cases, check-ins, timeline
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
