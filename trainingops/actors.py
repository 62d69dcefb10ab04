"""Who is making a change: a person, or the named task or command acting on its own.

Every historical row (django-simple-history) records its actor. A person is recorded as the
row's ``history_user``; a Celery task or a management command, which has no user, by its name
in ``history_actor``. The actor is kept in a context variable, innermost wins:

- ``manage.py`` names the command it runs (``command seed_demo``);
- a Celery task names itself while it runs (``task sessions.tasks.send_session_reminders``);
- a web request stands for its user (read when the row is written, after DRF authenticated it);
- a service called with ``by=`` acts as that person, whoever called it.
"""

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps


@dataclass(frozen=True)
class Actor:
    user: object | None = None
    name: str = ""
    request: object | None = None

    def resolve(self) -> tuple[object | None, str]:
        """The (user, name) pair to record: a request's user is read only now, once authenticated."""
        if self.request is not None:
            user = getattr(self.request, "user", None)
            if user is not None and user.is_authenticated:
                return user, ""
            return None, "anonymous visitor (personal link)"
        return self.user, self.name


_current: ContextVar[Actor | None] = ContextVar("trainingops_actor", default=None)


@contextmanager
def acting(*, by=None, name: str = "", request=None) -> Iterator[None]:
    """Make changes inside the block on behalf of ``by`` (a user), ``name`` (a task or command) or ``request``.

    ``by=None`` without a name or request keeps the surrounding actor: a service called without
    a person still records the task, command or request that called it.
    """
    if by is None and not name and request is None:
        yield
        return
    token = _current.set(Actor(user=by, name=name[:100], request=request))
    try:
        yield
    finally:
        _current.reset(token)


def on_behalf(service):
    """Decorate a service taking ``by=``: what it changes is recorded as that person's doing."""

    @wraps(service)
    def wrapper(*args, **kwargs):
        with acting(by=kwargs.get("by")):
            return service(*args, **kwargs)

    return wrapper


def current_actor() -> tuple[object | None, str]:
    """(user, name) of whoever is acting now; (None, "") when nobody said."""
    actor = _current.get()
    return actor.resolve() if actor is not None else (None, "")


def history_user(instance=None, request=None, **kwargs):
    """simple-history's ``get_user``: the acting person, else the request's user (its default)."""
    user, name = current_actor()
    if user is not None or name:
        return user
    request_user = getattr(request, "user", None)
    return request_user if request_user is not None and request_user.is_authenticated else None


class ActorMiddleware:
    """Each request acts as its (lazily authenticated) user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(request=request):
            return self.get_response(request)


def record_actor_name(sender, history_instance, **kwargs):
    """simple-history's ``pre_create_historical_record``: write the task's or command's name beside the row."""
    if hasattr(history_instance, "history_actor"):
        history_instance.history_actor = current_actor()[1]


def begin_named_actor(name: str):
    """Start acting as a task (Celery's prerun signal); returns the token for ``end_named_actor``."""
    return _current.set(Actor(name=name[:100]))


def end_named_actor(token) -> None:
    # A token from another context (the task ended elsewhere) cannot be reset; that context is gone anyway.
    with suppress(ValueError):
        _current.reset(token)
