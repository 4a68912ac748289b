"""WSGI entry point used by ``oneteam serve`` (gunicorn) and any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneteam.settings")
application = get_wsgi_application()
