# -*- coding: utf-8 -*-
# Run by render.sh after each cmfc .ntp loads (NatronRenderer -l cmfc_paths.py ...).
# cmfc writes file paths relative to the project root, so the projects are the same on
# every machine; this anchors them to the folder NatronRenderer runs in (render.sh cds
# to the project root). In the Natron GUI, run it from the Script Editor after opening.
import os

app = globals().get("app") or globals()["app1"]
ROOT = os.getcwd()
for node in app.getChildren():
    for name in ("filename", "custom"):
        param = node.getParam(name)
        if param is None:
            continue
        value = param.getValue()
        if not value or os.path.isabs(value) or value.startswith("["):
            continue
        # A reader re-reads its frame range when its file changes: keep one the project set.
        first, last = node.getParam("firstFrame"), node.getParam("lastFrame")
        kept = (first.getValue(), last.getValue()) if name == "filename" and first is not None and last is not None else (0, 0)
        param.setValue(os.path.join(ROOT, value))
        if kept != (0, 0):
            first.setValue(kept[0])
            last.setValue(kept[1])
