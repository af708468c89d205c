"""Every URL: the apps' pages, the API router, the schema and the admin."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from households import apis as household_apis
from households import views as household_views
from outreach.apis import approvals as approval_apis
from outreach.apis import cases as case_apis
from outreach.apis import inbox as inbox_apis
from outreach.apis import pairings as pairing_apis
from outreach.apis import signal_batches as signal_batch_apis
from outreach.apis import visits as visit_apis
from outreach.dashboards import apis as dashboard_apis
from referrals import apis as referral_apis

router = DefaultRouter()
router.register("households", household_apis.HouseholdViewSet, basename="household")
router.register("people", household_apis.PersonViewSet, basename="person")
router.register("visits", visit_apis.VisitViewSet, basename="visit")
router.register("cases", case_apis.CaseViewSet, basename="case")
router.register("approvals", approval_apis.ApprovalViewSet, basename="approval")
router.register("pairings", pairing_apis.PairingViewSet, basename="pairing")
router.register("check-ins", pairing_apis.CheckInViewSet, basename="check-in")
router.register("services", referral_apis.ServiceViewSet, basename="service")
router.register("service-links", referral_apis.ServiceLinkViewSet, basename="service-link")
router.register("referrals", referral_apis.ReferralViewSet, basename="referral")
router.register("consents", referral_apis.ConsentViewSet, basename="consent")
router.register("signal-batches", signal_batch_apis.SignalBatchViewSet, basename="signal-batch")
router.register("gatekeeper-places", referral_apis.GatekeeperPlaceViewSet,
                basename="gatekeeper-place")

admin.site.site_header = gettext_lazy("Doorstep 관리")
admin.site.site_title = "Doorstep"

urlpatterns = [
    path("", include("households.urls")),
    path("", include("referrals.urls")),
    path("", include("outreach.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", household_views.sign_out, name="logout"),
    path("sw.js", household_views.service_worker, name="service_worker"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("healthz", household_views.healthz, name="healthz"),
    path("dashboard/", include("outreach.dashboards.urls")),
    path("api/v1/dashboard/", dashboard_apis.PanelListApi.as_view(), name="api_dashboard"),
    path("api/v1/dashboard/<slug:name>/", dashboard_apis.PanelApi.as_view(),
         name="api_dashboard_panel"),
    path("api/v1/inbox/", inbox_apis.InboxItemListApi.as_view(), name="api_inbox"),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "households.views.error_400"
handler403 = "households.views.error_403"
handler404 = "households.views.error_404"
handler500 = "households.views.error_500"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
