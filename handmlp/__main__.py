"""`python -m handmlp`: the same command as the `handmlp` console script."""

import sys

from handmlp.cli import main

sys.exit(main())
