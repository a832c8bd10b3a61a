# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_ENV=production

# WeasyPrint needs Pango, and subsets the PDF's Chinese font with HarfBuzz when libharfbuzz-subset is there
# (fontTools otherwise: a third slower per bulletin PDF); curl is for the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
    curl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 bairi
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=bairi:bairi . .
# collectstatic needs settings but no real secret: give it throw-away values for the build only.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
 && mkdir -p /app/media && chown bairi:bairi /app/media

USER bairi
EXPOSE 8000
CMD ["gunicorn", "campaign.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "sync", "--timeout", "60", "--access-logfile", "-"]
