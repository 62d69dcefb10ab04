from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and officers"

    def ready(self):
        from agencies import receivers  # noqa: F401 — connects allauth's signals
