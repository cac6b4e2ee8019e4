"""The ASGI application: what a server runs, and what apact verifies in-process
(``Verifier("Grill Chef", app=application)``, ``apact verify --app kitchen_project.asgi:application``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitchen_project.settings")

application = get_asgi_application()
