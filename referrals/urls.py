from django.urls import path

from referrals import views

urlpatterns = [
    # [4/5] catalogue and partner answers
    path("services/", views.service_catalogue, name="service_catalogue"),
    path("partner/links/", views.partner_links, name="partner_links"),
    path("partner/links/<int:link_id>/", views.partner_link_detail, name="partner_link_detail"),
]
