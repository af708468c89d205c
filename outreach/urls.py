"""URLs of the outreach pages: the inbox, visits, cases, check-ins, signal batches."""

from django.urls import path

from outreach.views import (
    alerts,
    approvals,
    cases,
    field_days,
    history,
    households,
    inbox,
    pairings,
    service_links,
    signal_batches,
    visits,
)

urlpatterns = [
    # the triage inbox
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/bulk-assign/", inbox.inbox_bulk_assign, name="inbox_bulk_assign"),
    path("inbox/export/", inbox.inbox_export, name="inbox_export"),
    path("inbox/<str:kind>/<int:item_id>/", inbox.inbox_item_panel, name="inbox_item"),
    path("inbox/<str:kind>/<int:item_id>/merge/", inbox.inbox_merge, name="inbox_merge"),
    path("inbox/<str:kind>/<int:item_id>/<str:action>/", inbox.inbox_action,
         name="inbox_action"),
    # risk signals and the risk model
    path("signals/", signal_batches.signal_batch_list, name="signal_batch_list"),
    path("signals/model/", signal_batches.risk_model_edit, name="risk_model_edit"),
    path("signals/<int:batch_id>/", signal_batches.signal_batch_detail, name="signal_batch_detail"),
    path("signals/<int:batch_id>/progress/", signal_batches.signal_batch_progress,
         name="signal_batch_progress"),
    path("signals/<int:batch_id>/errors.csv", signal_batches.signal_batch_errors,
         name="signal_batch_errors"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    # visits, cases, check-ins, timeline
    path("households/<int:household_id>/work/", households.household_work, name="household_work"),
    path("services/<int:service_id>/link/", service_links.service_link_pick,
         name="service_link_pick"),
    path("households/<int:household_id>/timeline/", households.household_timeline,
         name="household_timeline"),
    path("alerts/<int:alert_id>/visit/", alerts.alert_schedule_visit,
         name="alert_schedule_visit"),
    path("visits/week/", visits.my_visits, name="my_visits"),
    path("visits/<int:visit_id>/", visits.visit_detail, name="visit_detail"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("check-ins/", pairings.check_ins, name="check_ins"),
    # field-level history (변경 이력) and the auditor's export of it
    path("households/<int:household_id>/history/", history.household_history,
         name="household_history"),
    path("cases/<int:case_id>/history/", history.case_history, name="case_history"),
    path("audit/history/", history.audit_history_export, name="audit_history_export"),
    # maker-checker: the team lead's and second admin's 결재함
    path("approvals/", approvals.approval_inbox, name="approval_inbox"),
    # joint visit days (합동 방문의 날) and the day's list on a phone
    path("field-days/", field_days.field_day_index, name="field_day_index"),
    path("field-days/<int:dong_id>/setting/", field_days.field_day_setting_edit,
         name="field_day_setting"),
    path("field-days/<int:dong_id>/<str:day>/", field_days.field_day_plan_page,
         name="field_day_plan"),
    path("field-days/<int:dong_id>/<str:day>/sheet/", field_days.field_day_sheet,
         name="field_day_sheet"),
    path("visits/day/", field_days.day_list, name="day_list"),
    path("visits/<int:visit_id>/sync/", field_days.visit_sync, name="visit_sync"),
]
