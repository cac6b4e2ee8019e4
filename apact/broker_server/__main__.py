"""``python -m apact.broker``: run the Pact Broker (see ``apact.broker._command``)."""

import sys

from ..cli._broker_server import main

sys.exit(main())
