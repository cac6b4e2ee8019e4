"""``POST /steaks/``: order a steak.

``{"cooking": "medium-rare"}`` answers 201 ``{"waitingTime": 10}`` (minutes); a well-done
steak is refused with 422 ``{"reason": "we do not serve well-done steaks"}``; an empty
fridge answers 503. A plain sync Django view: Django's ASGI handler runs it in a worker
thread, so the ORM is used as anywhere else in Django.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import WAITING_TIMES, Order, Steak


@csrf_exempt  # a JSON API without cookie sessions: no CSRF token to send
@require_POST
def order_steak(request: HttpRequest) -> JsonResponse:
    try:
        cooking = json.loads(request.body).get("cooking")
    except (ValueError, AttributeError):
        return JsonResponse({"reason": "the body is not a JSON object"}, status=400)
    if cooking == "well-done":
        return JsonResponse({"reason": "we do not serve well-done steaks"}, status=422)
    if cooking not in WAITING_TIMES:
        return JsonResponse({"reason": f"unknown cooking: {cooking!r}"}, status=400)
    with transaction.atomic():
        steak = Steak.objects.select_for_update().first()
        if steak is None:
            return JsonResponse({"reason": "no steaks left"}, status=503)
        steak.delete()
        order = Order.objects.create(cut=steak.cut, cooking=cooking, waiting_time=WAITING_TIMES[cooking])
    return JsonResponse({"waitingTime": order.waiting_time}, status=201)
