"""Stands in for NatronRenderer in tests: parses its real command line, writes a real small video.

``fake_natron.py [-l script] -w <Writer> <first>-<last> <project>``: finds the Writer's ``filename``
knob in the ``.ntp`` (relative paths resolve against the working folder, as cmfc_paths.py makes
them in a real render), writes ``last-first+1`` frames of a moving test pattern there with ffmpeg,
and appends its argv (as JSON) to ``$FAKE_NATRON_LOG``. ``FAKE_NATRON_FAIL=1`` makes it fail like
a render error.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys


def main(argv: list[str]) -> int:
    if os.environ.get("FAKE_NATRON_LOG"):
        with open(os.environ["FAKE_NATRON_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps(argv) + "\n")
    if argv[:1] == ["-v"]:
        print("Natron Renderer version 2.5.0 (fake)")
        return 0
    if os.environ.get("FAKE_NATRON_FAIL"):
        print("Error: Read1: Unable to open file", file=sys.stderr)
        return 1
    args = list(argv)
    if args[:1] == ["-l"]:
        args = args[2:]
    assert args[0] == "-w", argv
    writer, frames, project = args[1], args[2], args[3]
    first, last = (int(x) for x in frames.split("-"))
    text = open(project, encoding="utf-8").read()
    node = text[text.index(f"<Plugin_script_name>{writer}</Plugin_script_name>"):]
    knob = node[node.index("<Name>filename</Name>"):]
    target = re.search(r"<Value>([^<]*)</Value>", knob).group(1)
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    import imageio_ffmpeg

    count = last - first + 1
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=72x128:rate=24", "-frames:v", str(count), "-c:v", "mpeg4", target], check=True)
    print(f"Rendering finished: {count} frames")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
