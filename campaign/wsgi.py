"""WSGI entry point (gunicorn campaign.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")
# Requests run short queries: no PostgreSQL parallel workers for them (see PG_PARALLEL_WORKERS in settings).
os.environ.setdefault("PG_PARALLEL_WORKERS", "0")

application = get_wsgi_application()
