from django.urls import path

from outreach import views

urlpatterns = [
    path("signals/", views.signal_batch_list, name="signal_batch_list"),
    path("signals/model/", views.risk_model_edit, name="risk_model_edit"),
    path("signals/<int:batch_id>/", views.signal_batch_detail, name="signal_batch_detail"),
    path("signals/<int:batch_id>/progress/", views.signal_batch_progress,
         name="signal_batch_progress"),
    path("signals/<int:batch_id>/errors.csv", views.signal_batch_errors,
         name="signal_batch_errors"),
    path("alerts/", views.alert_list, name="alert_list"),
]
