# One image for every role (migrate, worker, beat, web); docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY publisher ./publisher
COPY workers ./workers
COPY feeds ./feeds
# gcc only while installing: it builds the C scanner (publisher/_speedups.c) and compiles the
# extraction core with mypyc (setup.py), then goes
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install . \
    && apt-get purge -y --auto-remove gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/* \
    && (cd / && python -c "import publisher._native as n; assert n.status() == 'compiled'") \
    && useradd --system --uid 10001 --home-dir /var/lib/publisher --create-home publisher \
    && mkdir -p /srv/publisher/public /etc/publisher \
    && chown publisher:publisher /srv/publisher/public

USER publisher
EXPOSE 8000
# The web app alone; workers and beat run as their own services.
CMD ["publisher", "web", "--host", "0.0.0.0", "--port", "8000"]
