"""Run ``workbench`` with a probe that logs every window of rows a pane's list loads.

Usage: ``python bench/scale_probe.py LOG [workbench arguments…]``. Each load the lists
take in (``VirtualList.WindowLoaded``) appends one JSON line to LOG: when (``monotonic``,
one clock with the benchmark's), which pane, how many rows came, how many the list shows,
and whether it replaced the window (a reload) or extended it (scrolling). ``bench/scale.py``
reads it for "rows loaded per pane page" and for when each pane's first rows arrived.

The probe wraps one message handler of a module the app imports before its first frame
anyway, so the app under test starts as fast as it does without it.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def install(log_path: str) -> None:
    from workbench.ui.virtual_list import VirtualList

    log = open(log_path, "a", buffering=1)  # noqa: SIM115  (open for the app's lifetime)
    original = VirtualList.on_virtual_list_window_loaded

    def logged(self: Any, message: Any) -> None:
        window = message.window
        pane = next((a.id for a in self.ancestors if getattr(a, "PANE_ID", None) is not None), None)
        current = window.generation == getattr(self, "_generation", window.generation)
        original(self, message)
        log.write(
            json.dumps(
                {
                    "t": time.monotonic(),
                    "pane": pane or type(self).__name__,
                    "rows": len(window.rows),
                    "shown": self.size.height,
                    "replace": message.replace,
                    "current": current,
                    "total": self.total,
                }
            )
            + "\n"
        )

    VirtualList.on_virtual_list_window_loaded = logged  # type: ignore[method-assign]


def main() -> None:
    install(sys.argv[1])
    from workbench.cli import main as workbench

    sys.argv = ["workbench", *sys.argv[2:]]
    workbench()


if __name__ == "__main__":
    main()
