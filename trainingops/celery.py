"""The Celery application, configured from Django settings under the CELERY namespace."""

import logging
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingops.settings")

logger = logging.getLogger(__name__)

app = Celery("trainingops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue(task, **kwargs) -> bool:
    """Hand a task to the broker when it answers; False when it does not.

    The broker is an accelerator, never a dependency of a request: the caller's work is already in
    the database (a pending message, a refresh or invitation request), where a beat sweep finds it
    again. A broker found down moments ago (by this process's cache or another enqueue) is not
    tried again until its retry delay is over, so a burst of requests pays no socket timeout.
    """
    from kombu.exceptions import OperationalError as BrokerError

    from trainingops import redis_outage

    broker_url = app.conf.broker_url
    if redis_outage.is_down(broker_url):
        logger.warning("Broker down: %s left for the periodic sweep", task.name)
        return False
    try:
        task.apply_async(kwargs=kwargs)
    except (BrokerError, OSError) as error:
        redis_outage.note_down(broker_url, error)
        logger.warning("Broker unavailable: %s left for the periodic sweep (%s)", task.name, error)
        return False
    return True


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
