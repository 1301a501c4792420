"""``python -m verwijsindex_core`` runs the command line."""

import sys

from verwijsindex_core.cli import main

sys.exit(main())
