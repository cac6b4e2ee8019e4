"""One-line descriptions of model parts for reports and errors: an interaction by its
description and provider states, a request by its request line. Both sides use them
(the mock provider's and the consumer's reports, the verifier's), so they live here.
"""

from __future__ import annotations

import json

from .model import HttpRequest, Interaction

__all__ = ["interaction_line", "request_line"]


def interaction_line(interaction: Interaction) -> str:
    """``"a request for a steak" (given steaks are available)``."""
    text = json.dumps(interaction.description, ensure_ascii=False)
    states = [state.name for state in interaction.provider_states]
    if states:
        text += " (given " + " and ".join(states) + ")"
    return text


def request_line(request: HttpRequest) -> str:
    """``POST /steaks/?a=1``."""
    text = f"{request.method.upper()} {request.path}"
    if request.raw_query:
        text += "?" + request.raw_query
    elif request.query:
        text += "?" + "&".join(f"{name}={value}" for name, values in request.query.items() for value in values)
    return text
