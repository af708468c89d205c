"""Django admin: the district admin's lookup tables. People's records stay out of it."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from households.models import ApiToken, District, Dong, Membership, Organization


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
