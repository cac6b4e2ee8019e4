"""A one-view Django project as a WSGI app, for ``apact verify --app`` (imported by the
subprocess only: Django's settings are the process's)."""

from __future__ import annotations

from django.conf import settings  # type: ignore[import-untyped]
from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]
from django.http import HttpRequest, JsonResponse  # type: ignore[import-untyped]
from django.urls import path  # type: ignore[import-untyped]

settings.configure(
    DEBUG=False, ALLOWED_HOSTS=["testserver"], ROOT_URLCONF=__name__, SECRET_KEY="tests only", MIDDLEWARE=[]
)


def steaks(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"count": 0, "path": request.path})


urlpatterns = [path("steaks/", steaks)]
application = get_wsgi_application()
