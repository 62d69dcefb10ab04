"""The WSGI entry point gunicorn loads."""

import gc
import importlib


def test_wsgi_application_freezes_what_starting_made():
    import trainingops.wsgi

    gc.unfreeze()
    try:
        importlib.reload(trainingops.wsgi)

        assert gc.get_freeze_count() > 10_000
        assert callable(trainingops.wsgi.application)
    finally:
        gc.unfreeze()
