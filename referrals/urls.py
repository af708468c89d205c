"""URLs of the referral forms, the partner's links and the service catalogue."""

from django.urls import path

from referrals import views

urlpatterns = [
    # referral intake
    path("volunteer/refer/", views.volunteer_refer, name="volunteer_refer"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/mine/", views.my_referrals, name="my_referrals"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:referral_id>/history/", views.referral_history,
         name="referral_history"),
    path("report/", views.public_report, name="public_report"),
    path("report/status/", views.report_status, name="report_status"),
    # catalogue and partner answers
    path("services/", views.service_catalogue, name="service_catalogue"),
    path("partner/links/", views.partner_links, name="partner_links"),
    path("partner/links/<int:link_id>/", views.partner_link_detail, name="partner_link_detail"),
    path("partner/capacity/<int:service_id>/<int:provider_id>/", views.partner_capacity,
         name="partner_capacity"),
    # gatekeeper places and their memo pads
    path("gatekeepers/", views.gatekeeper_places, name="gatekeeper_places"),
    path("gatekeepers/<int:place_id>/revoke/", views.gatekeeper_place_revoke,
         name="gatekeeper_place_revoke"),
    path("gatekeepers/<int:place_id>/print/<slug:size>/", views.gatekeeper_place_print,
         name="gatekeeper_place_print"),
]
