"""Django admin: the district admin maintains the service catalogue here.

Service links hold people's records and stay out of the admin.
"""

from django.contrib import admin

from referrals.models import Service

# --- service catalogue ---------------------------------------------------


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "provider_kind", "domain", "typical_value", "active"]
    list_filter = ["sector", "provider_kind", "domain", "active"]
    search_fields = ["name", "description"]
    filter_horizontal = ["providers"]
