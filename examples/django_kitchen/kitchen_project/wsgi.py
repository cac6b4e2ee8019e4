"""The WSGI application: what a WSGI server runs, and what apact verifies in-process just
as well as the ASGI one (``apact verify --app kitchen_project.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitchen_project.settings")

application = get_wsgi_application()
