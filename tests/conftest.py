"""Suite-wide settings.

Under CI=true, hypothesis runs derandomized (the same examples every run), so a
green main stays green and a red one is reproducible; locally it keeps
exploring new examples and remembers failures in .hypothesis/.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")
