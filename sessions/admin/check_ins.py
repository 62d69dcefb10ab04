"""Back office: a session's check-in codes — the self check-in QR code and link, and the personal codes.

For the session's trainers and the managers (as the roll call). The self check-in code is what is
shown at the venue (projected or printed) and the link what is posted in the meeting chat; the
personal codes of the confirmed seats can be printed (badges) or scanned from this screen by another
device, e.g. to try the check-in page.
"""

from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from sessions import checkin_codes, selectors
from sessions.check_in_views import image_response, self_check_in_url


def check_in_codes_urls(model_admin):
    site = model_admin.admin_site
    return [
        path(
            "<int:session_id>/check-in-codes/",
            site.admin_view(lambda request, session_id: check_in_codes_view(model_admin, request, session_id)),
            name="training_trainingsession_check_in_codes",
        ),
        path(
            "<int:session_id>/check-in-codes/self-check-in.svg",
            site.admin_view(lambda request, session_id: self_check_in_image(model_admin, request, session_id)),
            name="training_trainingsession_self_check_in_image",
        ),
        path(
            "<int:session_id>/check-in-codes/<int:registration_id>.svg",
            site.admin_view(
                lambda request, session_id, registration_id: personal_code_image(
                    model_admin, request, session_id, registration_id
                )
            ),
            name="training_trainingsession_personal_code_image",
        ),
    ]


def check_in_codes_view(model_admin, request, session_id):
    session = model_admin._roll_call_session(request, session_id)  # its trainers and the managers
    opens, closes = selectors.self_check_in_window(session)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Check-in codes: %(session)s") % {"session": session},
        "opts": model_admin.model._meta,
        "session": session,
        "self_check_in_url": self_check_in_url(session) if session.self_check_in else "",
        "self_opens_at": opens,
        "self_closes_at": closes,
        "roster": selectors.check_in_roster(session),
    }
    return TemplateResponse(request, "admin/training/trainingsession/check_in_codes.html", context)


def self_check_in_image(model_admin, request, session_id):
    session = model_admin._roll_call_session(request, session_id)
    if not session.self_check_in:
        raise Http404
    return image_response(self_check_in_url(session), "svg", filename=f"self-check-in-{session.pk}")


def personal_code_image(model_admin, request, session_id, registration_id):
    session = model_admin._roll_call_session(request, session_id)
    registration = next((row for row in selectors.check_in_roster(session) if row.pk == registration_id), None)
    if registration is None:
        raise Http404
    return image_response(checkin_codes.sign_code(registration=registration), "svg", filename=str(registration.pk))
