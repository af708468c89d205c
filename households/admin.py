"""Django admin: the district admin's lookup tables. People's records stay out of it."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from households.models import AccessLog, ApiToken, District, Dong, Membership, Organization
from households.services import access_log_write


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Dong)
class DongAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "district", "valid_from", "valid_to"]
    list_filter = ["district"]
    search_fields = ["code", "name", "short_name"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "phone", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "dong", "district", "organization", "group"]
    list_filter = ["role", "dong"]
    search_fields = ["user__username"]
    autocomplete_fields = ["dong", "organization"]


# DRF's token admin lists every key in clear: anyone who opens the admin could act as a
# partner's API client. Here a key is shown once, on the page right after creating it.
admin.site.unregister(TokenProxy)


@admin.register(ApiToken)
class ApiTokenAdmin(TokenAdmin):
    list_display = ["user", "created"]
    fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False

    def response_add(self, request, obj, post_url_continue=None):
        response = TemplateResponse(request, "admin/households/apitoken_created.html", {
            **self.admin_site.each_context(request),
            "title": _("API 토큰을 만들었습니다"),
            "token": obj,
            "key": obj.key,
            "opts": self.opts,
        })
        response["Cache-Control"] = "no-store"
        return response


class AccountAdmin(UserAdmin):
    """Users, as Django's admin has them, but every change to an account (a new
    password above all, which would let an admin sign in as that person) is written to
    the access log under the admin's own name, for the auditor."""

    def log_addition(self, request, obj, message):
        self._access_log(request, obj, AccessLog.Action.CREATE)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._access_log(request, obj, AccessLog.Action.UPDATE)
        return super().log_change(request, obj, message)

    def log_deletion(self, request, obj, object_repr):
        self._access_log(request, obj, AccessLog.Action.DELETE)
        return super().log_deletion(request, obj, object_repr)

    def _access_log(self, request, obj, action):
        access_log_write(request=request, action=action, object_type="user_account",
                         object_id=obj.pk)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
