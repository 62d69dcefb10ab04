"""Back office: the topics' question bank and the sessions' pre-tests and post-tests.

Trainers and managers write questions (in English, Spanish and French; at least two options, at
least one correct: ``sessions.services.check_question_options``). A trainer gives the sessions they
train a pre-test and a post-test (chosen questions, or drawn once from the session's topics) through
``sessions.services.set_knowledge_check``; managers work on every session. A question that officers
have answered is read-only: changing it would change the meaning of their scores.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from sessions import services
from sessions.admin.base import (
    ReadOnlyHistoryAdmin,
    ScopedHistoryAdmin,
    ServiceErrorsAsMessages,
    copy_saved_state,
    sessions_trained_by,
    trains,
)
from sessions.models import KnowledgeCheck, KnowledgeCheckAnswer, Question, QuestionOption
from sessions.translation import translation_field_names
from trainingops.admin_widgets import SafeAutocompleteAdminMixin


class QuestionOptionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("text_en")
        ]
        try:
            services.check_question_options(
                option_count=len(kept), correct_count=sum(1 for form in kept if form.cleaned_data.get("is_correct"))
            )
        except services.KnowledgeCheckError as error:
            raise forms.ValidationError(error.message, code=error.code) from error


class QuestionOptionInline(admin.TabularInline):
    model = QuestionOption
    formset = QuestionOptionFormSet
    fields = ("position", *translation_field_names("text"), "is_correct")
    extra = 4
    min_num = 0

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is not None else self.extra


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ("topic", *translation_field_names("text"), "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "text_en" in self.fields:  # not on the read-only view of an answered question
            self.fields["text_en"].required = True
        for name in translation_field_names("text"):
            if name in self.fields:
                self.fields[name].widget = forms.Textarea(attrs={"rows": 3, "maxlength": 1000})


@admin.register(Question)
class QuestionAdmin(SafeAutocompleteAdminMixin, ReadOnlyHistoryAdmin):
    form = QuestionForm
    list_display = ("__str__", "topic", "option_count", "active")
    list_filter = ("active", "topic")
    list_select_related = ("topic",)
    search_fields = translation_field_names("text")
    autocomplete_fields = ("topic",)
    inlines = [QuestionOptionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(options_count=Count("options"))

    @admin.display(description=_("options"), ordering="options_count")
    def option_count(self, question):
        return question.options_count

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not KnowledgeCheckAnswer.objects.filter(question=obj).exists())


class KnowledgeCheckForm(forms.ModelForm):
    draw = forms.IntegerField(
        label=_("or draw at random"),
        required=False,
        min_value=1,
        max_value=services.knowledge_checks.MAX_QUESTIONS,
        help_text=_("Draw this many questions, once, from the active questions of the session's topics."),
    )

    class Meta:
        model = KnowledgeCheck
        fields = ("session", "kind", "max_attempts", "questions")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["questions"].required = False

    def clean(self):
        data = super().clean()
        session = data.get("session")
        if session is not None and self.request is not None and not trains(self.request, session.pk):
            self.add_error("session", _("Choose a session you train."))
        if not data.get("questions") and not data.get("draw"):
            self.add_error("questions", _("Choose questions, or a number of questions to draw."))
        return data


@admin.register(KnowledgeCheck)
class KnowledgeCheckAdmin(SafeAutocompleteAdminMixin, ServiceErrorsAsMessages, ScopedHistoryAdmin):
    form = KnowledgeCheckForm
    list_display = ("session", "kind", "question_count", "attempt_count", "max_attempts")
    list_filter = ("kind",)
    list_select_related = ("session",)
    search_fields = translation_field_names("session__title")
    autocomplete_fields = ("session", "questions")
    fields = ("session", "kind", "max_attempts", "questions", "draw")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class RequestForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, request=request, **kwargs)

        return RequestForm

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                questions_count=Count("questions", distinct=True), attempts_count=Count("attempts", distinct=True)
            )
        )
        if is_manager(request.user):
            return queryset
        return queryset.filter(session__in=sessions_trained_by(request.user))

    def get_readonly_fields(self, request, obj=None):
        return ("session", "kind") if obj is not None else ()

    def session_id_of(self, check) -> int:
        return check.session_id

    @admin.display(description=_("questions"), ordering="questions_count")
    def question_count(self, check):
        return check.questions_count

    @admin.display(description=_("attempts"), ordering="attempts_count")
    def attempt_count(self, check):
        return check.attempts_count

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.set_knowledge_check(
            by=request.user,
            session=obj.session,
            kind=obj.kind,
            questions=data.get("questions") or (),
            draw=data.get("draw") or None,
            max_attempts=data["max_attempts"],
        )
        copy_saved_state(saved, obj)

    def save_related(self, request, form, formsets, change):
        """The service has set the questions (the chosen or the drawn ones)."""
