"""For a run from the repository's root (``python -m pytest examples/``), where apact's
configuration applies instead of this directory's ``pytest.ini``: pytest puts this
directory on ``sys.path`` (a conftest's directory), and Django is set up here, before
the tests' modules import the models. Run here, ``pytest.ini`` says the same."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitchen_project.settings")
django.setup()
