from django.urls import path

from outreach import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/bulk-assign/", views.inbox_bulk_assign, name="inbox_bulk_assign"),
    path("inbox/export/", views.inbox_export, name="inbox_export"),
    path("inbox/<str:kind>/<int:item_id>/", views.inbox_item_panel, name="inbox_item"),
    path("inbox/<str:kind>/<int:item_id>/merge/", views.inbox_merge, name="inbox_merge"),
    path("inbox/<str:kind>/<int:item_id>/<str:action>/", views.inbox_action,
         name="inbox_action"),
]
