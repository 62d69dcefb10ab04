"""Back office: who issues the certificates of attendance (one row, edited by managers)."""

import base64

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from sessions.models import CertificateSettings
from sessions.services.certificates import (
    SIGNATURE_MAX_BYTES,
    CertificateError,
    read_signature_image,
    update_certificate_settings,
)

# One byte more than the limit, so that a larger file is seen as larger without reading all of it.
SIGNATURE_READ_LIMIT = SIGNATURE_MAX_BYTES + 1


class CertificateSettingsForm(forms.ModelForm):
    signature = forms.FileField(
        label=_("Signature image"),
        required=False,
        help_text=_("A PNG or JPEG file of at most 1 MB, ideally on a white or transparent background."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_signature = forms.BooleanField(label=_("Remove the signature image"), required=False)

    class Meta:
        model = CertificateSettings
        fields = ["organisation_name", "signatory_name", "signatory_title"]

    def clean_signature(self):
        upload = self.cleaned_data.get("signature")
        if not upload:
            return None
        data = upload.read(SIGNATURE_READ_LIMIT)
        try:
            read_signature_image(data)
        except CertificateError as error:
            raise forms.ValidationError(str(error)) from error
        return data

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("signatory_title") and not cleaned.get("signatory_name"):
            self.add_error("signatory_name", _("Name the signatory whose title this is."))
        return cleaned


@admin.register(CertificateSettings)
class CertificateSettingsAdmin(SimpleHistoryAdmin):
    """The one row: its list opens the row itself, and it is never deleted."""

    form = CertificateSettingsForm
    fields = (
        "organisation_name",
        "signatory_name",
        "signatory_title",
        "current_signature",
        "signature",
        "remove_signature",
    )
    readonly_fields = ("current_signature",)

    @admin.display(description=_("Current signature"))
    def current_signature(self, obj):
        if not obj or not obj.signature_image:
            return _("None yet")
        encoded = base64.b64encode(bytes(obj.signature_image)).decode("ascii")
        return format_html(
            '<img src="data:{};base64,{}" alt="{}" style="max-height:80px">',
            obj.signature_content_type,
            encoded,
            _("Signature of %(name)s") % {"name": obj.signatory_name},
        )

    def changelist_view(self, request, extra_context=None):
        if CertificateSettings.objects.filter(pk=1).exists():
            return HttpResponseRedirect(reverse("admin:training_certificatesettings_change", args=[1]))
        return HttpResponseRedirect(reverse("admin:training_certificatesettings_add"))

    def add_view(self, request, form_url="", extra_context=None):
        # Checked here rather than in has_add_permission, which every admin page's menu asks.
        if CertificateSettings.objects.filter(pk=1).exists():
            return HttpResponseRedirect(reverse("admin:training_certificatesettings_change", args=[1]))
        return super().add_view(request, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = update_certificate_settings(
            organisation_name=form.cleaned_data["organisation_name"],
            signatory_name=form.cleaned_data["signatory_name"],
            signatory_title=form.cleaned_data["signatory_title"],
            signature=form.cleaned_data.get("signature"),
            remove_signature=form.cleaned_data.get("remove_signature", False),
            by=request.user,
        )
        obj.pk = saved.pk
