"""Provider verification: prove that a provider honours its consumers' pacts.

```python
from apact import Verifier

verifier = Verifier("Grill Chef", app=app)       # or base_url=..., or command=...

@verifier.state("steaks are available")
async def steaks_available(params):
    ...

@verifier.message("an order created event")    # message pacts: a producer per message
async def order_created(params):
    return {"orderId": params["id"]}            # the contents (JSON), or an apact.Message

result = await verifier.verify("pacts/")
result.assert_ok()
```

See ``docs/provider.md`` for the guide.
"""

from .._core._api import publish, renamed
from ._messages import MessageProducer
from ._replay import RequestFilter
from ._result import (
    ErrorKind,
    InteractionResult,
    PactResult,
    Status,
    VerificationFailedError,
    VerificationProblem,
    VerificationResult,
)
from ._sources import Auth, PactSource, Source
from ._states import StateHandler
from ._verifier import DEFAULT_CONCURRENCY, PendingPolicy, Verifier

__all__ = [
    "DEFAULT_CONCURRENCY",
    "Auth",
    "ErrorKind",
    "InteractionResult",
    "MessageProducer",
    "PactResult",
    "PactSource",
    "PendingPolicy",
    "RequestFilter",
    "Source",
    "StateHandler",
    "Status",
    "VerificationFailedError",
    "VerificationProblem",
    "VerificationResult",
    "Verifier",
]

publish(__name__, globals(), __all__)

#: names before the exceptions' one naming rule (``*Error`` is always an exception)
__getattr__ = renamed(
    __name__, {"VerificationFailed": "VerificationFailedError", "VerificationError": "VerificationProblem"}
)
