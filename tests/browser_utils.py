"""Browser-test helpers: they live in :mod:`vae.devtools.browser` (shared with bench/ and scripts/)."""
from vae.devtools.browser import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, StreamlitServer, free_port,  # noqa: F401
                                  launch_browser, require_browser, wait_idle)
