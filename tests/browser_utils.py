"""Browser-test helpers: they live in :mod:`vae.devtools.browser` (shared with bench/ and scripts/)."""
from vae.devtools.browser import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, StreamlitServer, choose_option,  # noqa: F401
                                  free_port, launch_browser, require_browser, wait_idle)
