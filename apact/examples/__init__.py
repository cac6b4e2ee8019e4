"""Built-in examples: the Grill Chef pact used by ``apact check --example``."""

from pathlib import Path

GRILL_CHEF_PACT = Path(__file__).with_name("sous-chef-grill-chef.json")
