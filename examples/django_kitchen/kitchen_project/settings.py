"""Settings of the Grill Chef's Django project, trimmed to what the example needs.

The database is a SQLite file, ``GRILL_CHEF_DB`` (default ``grill-chef.sqlite3`` here).
Under pytest-django the tests use a test database of their own instead: in memory by
default (Django shares it between the threads' connections), or the SQLite file
``GRILL_CHEF_TEST_DB`` names (the suite runs the tests both ways: see ``docs/django.md``).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure: an example, never deployed")
DEBUG = False
# "testserver": the Host of apact's in-process requests (and of Django's test client)
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]

INSTALLED_APPS = ["grill"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "kitchen_project.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("GRILL_CHEF_DB", str(BASE_DIR / "grill-chef.sqlite3")),
    }
}
if os.environ.get("GRILL_CHEF_TEST_DB"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["GRILL_CHEF_TEST_DB"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

#: the test-only provider-state endpoint ``POST /_pact/state`` (for ``apact verify
#: --state-change-url``): on only when the environment asks, never in production
GRILL_CHEF_PROVIDER_STATES = os.environ.get("GRILL_CHEF_PROVIDER_STATES") == "1"
