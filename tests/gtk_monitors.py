#!/usr/bin/python3
"""Prints, as JSON, the monitors GTK 3 (and so XFCE) sees on $DISPLAY."""
import json
import os

import gi

gi.require_version("Gdk", "3.0")
from gi.repository import Gdk  # noqa: E402

display = Gdk.Display.open(os.environ["DISPLAY"])
monitors = []
for i in range(display.get_n_monitors()):
    monitor = display.get_monitor(i)
    g = monitor.get_geometry()
    monitors.append({"model": monitor.get_model(), "geometry": f"{g.width}x{g.height}+{g.x}+{g.y}"})
print(json.dumps(monitors))
