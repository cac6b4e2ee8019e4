"""The consumer side: ``async with Pact(...)``, interactions, and the mock provider.

```python
from apact import Pact, match

async def test_order_a_steak():
    async with Pact("Sous Chef", "Grill Chef", pact_dir="pacts") as pact:
        (pact.given("steaks are available")
             .upon_receiving("a request for a steak")
             .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
             .will_respond_with(201, body={"waitingTime": match.integer(10)}))
        chef = GrillChefClient(pact.client)        # an httpx.AsyncClient, no socket
        assert (await chef.order("medium-rare"))["waitingTime"] == 10
```

Inside the block the mock provider answers as the interactions say: in-process through
``pact.client`` (an ``httpx.AsyncClient``) or ``pact.transport``, and over real HTTP
at ``pact.url`` when asked for (``serve_http=True`` or ``await pact.serve()``). On
leaving the block the pact file is written, unless something went wrong: an
interaction never requested, a request no interaction matched, or an exception in the
block. Then nothing is written, and `ConsumerMismatchError` (an
``AssertionError``) lists each problem; an exception from the block propagates with
those problems attached as a note.

Message pacts (asynchronous messages, V4 synchronous messages) are written in the same
block: ``pact.expects_to_receive(...)`` and ``pact.sync_message(...)``, see
`apact.consumer.messages`.
"""

from .._core._api import publish
from ._pact import ConsumerMismatchError, HttpInteractionBuilder, MissingRequest, Pact

__all__ = ["ConsumerMismatchError", "HttpInteractionBuilder", "MissingRequest", "Pact"]

publish(__name__, globals(), __all__)
