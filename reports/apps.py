from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="reports.install_triggers")


def _install_triggers(sender, using, **kwargs):
    from reports.revision import install_triggers

    install_triggers(using)
