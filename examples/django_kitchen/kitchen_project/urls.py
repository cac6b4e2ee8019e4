"""The Grill Chef's routes; ``/_pact/state`` only when the settings turn it on."""

from __future__ import annotations

from django.conf import settings
from django.urls import URLPattern, path
from grill import views

urlpatterns: list[URLPattern] = [path("steaks/", views.order_steak)]

if settings.GRILL_CHEF_PROVIDER_STATES:  # never in production
    from grill import provider_states

    urlpatterns.append(path("_pact/state", provider_states.change_state))
