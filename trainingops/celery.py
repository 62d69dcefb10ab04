"""The Celery application, configured from Django settings under the CELERY namespace."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingops.settings")

app = Celery("trainingops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def _act_as_task(task_id=None, task=None, **kwargs):
    """While a task runs, the changes it makes on its own are recorded as made by it (trainingops.actors)."""
    from trainingops.actors import begin_named_actor

    _running_actors[task_id] = begin_named_actor(f"task {task.name}")


@signals.task_postrun.connect
def _stop_acting_as_task(task_id=None, **kwargs):
    from trainingops.actors import end_named_actor

    token = _running_actors.pop(task_id, None)
    if token is not None:
        end_named_actor(token)


_running_actors: dict = {}
