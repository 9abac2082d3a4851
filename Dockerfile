FROM python:3.11-slim-bookworm

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

# Uploaded files live on a volume; a new named volume takes this directory's owner.
RUN useradd --system --user-group --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /data/media \
    && chown app:app /data/media
USER app
VOLUME ["/data/media"]

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
