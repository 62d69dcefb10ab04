from django.apps import AppConfig


class TrainingConfig(AppConfig):
    # django.contrib.sessions already owns the label "sessions".
    name = "sessions"
    label = "training"
    verbose_name = "Training sessions"

    def ready(self):
        from sessions.selectors import forget_filter_choices_on_changes

        forget_filter_choices_on_changes()
