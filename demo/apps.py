from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """No models: installed only so that ``python manage.py seed_demo`` is found here."""

    name = "demo"
    verbose_name = _("Demo data")
