from django.apps import AppConfig


class TrainingConfig(AppConfig):
    # django.contrib.sessions already owns the label "sessions".
    name = "sessions"
    label = "training"
    verbose_name = "Training sessions"
