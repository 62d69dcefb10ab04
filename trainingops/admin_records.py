"""Back-office pages of records: rows another part of the project writes, never edited by hand."""

from django.contrib import admin


class RecordAdmin(admin.ModelAdmin):
    """A list and a read-only page for each row: nothing is added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
