"""Django admin: the district admin's lookup tables. People's records stay out of it."""

from django.contrib import admin

from households.models import District, Dong, Membership, Organization


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
