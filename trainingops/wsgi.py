import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingops.settings")
application = get_wsgi_application()

# What starting made (Django, the apps, the URLconf) lives as long as the process: frozen, it is left out
# of every full garbage collection. The report page parses enough stored figures to set one off every
# dozen requests, and each walked every object of the process: at 100x the real program such a
# collection took the page's p99 from about 60 to 200-270 ms of CPU (docs/benchmarks.md, fourth round).
get_resolver().url_patterns  # noqa: B018 — imports every view module before the freeze
gc.collect()
gc.freeze()
