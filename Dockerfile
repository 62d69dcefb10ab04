# Production image: gunicorn serves the app and whitenoise its static files; the same image runs
# the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext: compilemessages needs msgfmt. libcairo2: cairosvg draws the impact summary's PNG images.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libcairo2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
# Every package, pip included, is pinned with its hashes: nothing else can be installed.
RUN pip install --require-hashes -r requirements.txt

COPY . .
# Build-time only values: no database or broker is touched by these two commands.
RUN if [ -d locale ]; then DEBUG=true python manage.py compilemessages --ignore=.venv -v 0; fi \
    && DEBUG=false SECRET_KEY=build-only-not-a-secret CHECKIN_SIGNING_KEY=dGVzdC1vbmx5LWNoZWNrLWluLWtleS0zMi1ieXRlcyE= VAR_DIR=/tmp/build-var \
       python manage.py collectstatic --noinput -v 0 \
    && rm -rf /tmp/build-var

RUN useradd --create-home --uid 1000 trainingops \
    && mkdir -p /app/var \
    && chown -R trainingops /app/var
USER trainingops

EXPOSE 8000
CMD ["gunicorn", "trainingops.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
