"""``python -m apact.broker``: run the Pact Broker (see ``apact.broker._command``)."""

import sys

from ._command import main

sys.exit(main())
