"""A deliberately broken Grill Chef: its URLconf answers the waiting time as text
(``"10 minutes"``), a change the Sous Chef's pact catches. The failing-case test puts
it in place of the real routes with ``@pytest.mark.urls("broken_kitchen")``."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def order_steak_broken(request: HttpRequest) -> JsonResponse:
    if json.loads(request.body).get("cooking") == "well-done":
        return JsonResponse({"reason": "we do not serve well-done steaks"}, status=422)
    return JsonResponse({"waitingTime": "10 minutes"}, status=201)


urlpatterns: list[URLPattern] = [path("steaks/", order_steak_broken)]
