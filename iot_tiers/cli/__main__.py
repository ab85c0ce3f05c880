"""``python -m iot_tiers.cli``: the same as the ``tiers`` console script."""

import sys

from . import main

sys.exit(main())
