"""``apact.model``, kept for compatibility: the pact model, now in `apact.pact.model`."""

from ._core._api import renamed
from .pact.model import (
    AsyncMessage,
    Body,
    Generator,
    Generators,
    Headers,
    HttpInteraction,
    HttpRequest,
    HttpResponse,
    Interaction,
    Matcher,
    MatchingRules,
    MessageContents,
    PactFile,
    ProviderState,
    Query,
    RuleList,
    Spec,
    SyncMessage,
    content_type_of,
    find_header,
    state_names,
)

__all__ = [
    "AsyncMessage",
    "Body",
    "Generator",
    "Generators",
    "Headers",
    "HttpInteraction",
    "HttpRequest",
    "HttpResponse",
    "Interaction",
    "Matcher",
    "MatchingRules",
    "MessageContents",
    "PactFile",
    "ProviderState",
    "Query",
    "RuleList",
    "Spec",
    "SyncMessage",
    "content_type_of",
    "find_header",
    "state_names",
]

#: ``model.Message`` was renamed: ``apact.Message`` is the message user code handles
__getattr__ = renamed(__name__, {"Message": "MessageContents"})
