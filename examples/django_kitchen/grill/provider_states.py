"""The provider states, written with the ORM: one place, used two ways.

* ``steaks_available`` / ``clear_kitchen`` are plain sync functions. The pytest tests
  call them from async state handlers through ``asgiref.sync.sync_to_async`` (see
  ``tests/test_grill_chef_django.py``): called on the event loop's thread they would
  raise Django's ``SynchronousOnlyOperation``.
* ``change_state`` is a test-only view serving them as Pact's state-change endpoint
  (``POST /_pact/state``), for ``apact verify --app ... --state-change-url /_pact/state``
  and for verifiers in other processes. ``GRILL_CHEF_PROVIDER_STATES=1`` turns it on.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Order, Steak


def steaks_available(count: int = 3) -> None:
    """ "steaks are available": ``count`` ribeyes in the fridge."""
    Steak.objects.bulk_create(Steak(cut="ribeye") for _ in range(count))


def clear_kitchen() -> None:
    """Every state's teardown: an empty fridge and no orders."""
    Order.objects.all().delete()
    Steak.objects.all().delete()


@csrf_exempt
@require_POST
def change_state(request: HttpRequest) -> JsonResponse:
    """``{"state": ..., "params": {...}, "action": "setup" | "teardown"}``, as Pact
    verifiers post it."""
    change = json.loads(request.body)
    if change.get("action") == "teardown":
        clear_kitchen()
    elif change.get("state") == "steaks are available":
        steaks_available(int(change.get("params", {}).get("count", 3)))
    else:
        return JsonResponse({"error": f"unknown provider state: {change.get('state')!r}"}, status=400)
    return JsonResponse({})
