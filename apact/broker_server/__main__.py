"""``python -m apact.broker_server``: run the Pact Broker, as ``apact broker`` does (see
``apact.cli._broker_server``)."""

import sys

from ..cli._broker_server import main

sys.exit(main())
