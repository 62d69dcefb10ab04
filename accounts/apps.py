from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from trainingops.api.authentication import connect_signals

        connect_signals()

        from simple_history.signals import pre_create_historical_record

        from accounts import receivers  # noqa: F401 — connects the sign-in receiver
        from trainingops.actors import record_actor_name

        pre_create_historical_record.connect(record_actor_name, dispatch_uid="trainingops-history-actor")
