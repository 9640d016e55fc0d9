from django.contrib import admin

from .models import RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ["country", "years_after_closure"]
