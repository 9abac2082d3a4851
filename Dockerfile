# Two images from one build: `web` (gunicorn) and `edge` (nginx in front of it, with
# the static files `web` collected). The last stage keeps `docker build .` = web.
FROM python:3.11-slim-bookworm AS web

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MEDIA_ROOT=/data/media

# WeasyPrint renders PDFs with Pango and HarfBuzz (harfbuzz-subset embeds only the glyphs
# used; without it WeasyPrint warns and falls back to fontTools); gettext compiles translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Production dependencies only, pinned and hash-checked.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .

# Settings refuse to load without SECRET_KEY; these build steps need no real one.
RUN SECRET_KEY=build-only python manage.py compilemessages -v0 \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput -v0

# Uploaded files live on a volume, and so does the key that signs published versions
# (docs/verifying-notices.md); a new named volume takes its directory's owner.
RUN useradd --system --user-group --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /data/media /data/keys \
    && chown app:app /data/media /data/keys \
    && chmod 700 /data/keys
USER app
VOLUME ["/data/media", "/data/keys"]

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]

# The edge proxy (docker/nginx/notices.conf.template; README: Production). The image
# renders the template into conf.d at start; its stock default server is removed.
FROM nginx:1.26.3-alpine AS edge
RUN rm /etc/nginx/conf.d/default.conf
COPY --from=web /app/staticfiles /srv/static
COPY docker/nginx/notices.conf.template /etc/nginx/templates/notices.conf.template

FROM web
