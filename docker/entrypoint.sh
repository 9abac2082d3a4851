#!/bin/sh
# Bring the schema up to date, then serve. Any arguments replace gunicorn, e.g.
#   docker compose run --rm web python manage.py createsuperuser
set -eu

python manage.py migrate --noinput

if [ "$#" -gt 0 ]; then
    exec "$@"
fi
exec gunicorn config.wsgi \
    --bind 0.0.0.0:8000 \
    --workers "${WEB_CONCURRENCY:-3}" \
    --timeout "${GUNICORN_TIMEOUT:-90}" \
    --access-logfile -
