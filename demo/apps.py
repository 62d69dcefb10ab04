from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models: installed only so that ``python manage.py seed_demo`` is found here."""

    name = "demo"
    verbose_name = "Demo data"
