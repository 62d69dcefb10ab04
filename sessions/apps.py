from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    # django.contrib.sessions already owns the label "sessions".
    name = "sessions"
    label = "training"
    verbose_name = _("Training sessions")

    def ready(self):
        from sessions.cards import forget_cards_on_changes
        from sessions.selectors import forget_filter_choices_on_changes

        forget_filter_choices_on_changes()
        forget_cards_on_changes()
