from django.contrib import admin

from .forms import OrganisationForm
from .models import Country, Node, Organisation


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ["name", "base_url", "is_this_node"]


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "display_name", "trm_role", "reflection_period_days"]


class OrganisationAdminForm(OrganisationForm):
    class Meta(OrganisationForm.Meta):
        fields = ["slug", "country", "kind", "is_focal_point", "hosted_on", "is_active",
                  *OrganisationForm.Meta.fields]  # fmt: skip


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "country", "kind", "is_focal_point", "is_active"]
    list_filter = ["country", "kind", "is_focal_point", "is_active"]
    search_fields = ["name", "slug"]
