# GreenBridge: one image for the web server (gunicorn), the Celery worker and Celery beat.
#
#   docker build -t greenbridge .
#   docker compose up -d          (see docker-compose.yml)
#
# Configuration comes from environment variables at run time (see .env.example).
# Keep .venv, var/ and .git out of the build context with a .dockerignore.
FROM python:3.11-slim

# WEB_CONCURRENCY: gunicorn's number of worker processes.
# MEDIA_ROOT: uploaded files (logos), a volume in docker-compose.yml; not under var/,
# which holds the static files collected into the image.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3 \
    MEDIA_ROOT=/data/media

WORKDIR /app

RUN groupadd --system --gid 10001 greenbridge \
    && useradd --system --uid 10001 --gid greenbridge --home-dir /app --no-create-home --shell /usr/sbin/nologin greenbridge

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
# (psycopg2-binary and pillow come as wheels: no compiler needed.)
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files are collected at build time, with the production storage (hashed,
# compressed names for WhiteNoise), which is what DJANGO_DEBUG=false selects.  The
# SECRET_KEY here is a throw-away that only lets the settings load; it is not in the
# final environment.  STATIC_ROOT is var/staticfiles: do not mount a volume over /app/var.
RUN rm -rf .venv var \
    && DJANGO_DEBUG=false \
       SECRET_KEY=build-time-only-dummy-key-not-used-at-run-time-0123456789 \
       ALLOWED_HOSTS=localhost \
       python manage.py collectstatic --noinput -v0 \
    && mkdir -p /data/media /data/beat \
    && chown -R greenbridge:greenbridge /data /app/var

USER greenbridge

EXPOSE 8000

# The web server.  docker-compose.yml runs the worker and beat from the same image
# with another command.  Put a TLS-terminating proxy in front that sets
# X-Forwarded-Proto (the settings trust it when DJANGO_DEBUG=false).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
