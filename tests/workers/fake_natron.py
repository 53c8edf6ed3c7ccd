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


def parse(argv: list[str]) -> dict:
    """NatronRenderer's project-mode grammar (Engine/CLArgs.cpp): options, then the project last."""
    args = {"flags": [], "writer": None, "output": None, "range": None, "onload": None, "project": argv[-1]}
    rest = argv[:-1]
    i = 0
    while i < len(rest):
        token = rest[i]
        if token in ("-w", "--writer"):
            args["writer"] = rest[i + 1]
            i += 2
            if i < len(rest) and not rest[i].startswith("-") and not re.fullmatch(r"[\d,:-]+", rest[i]):
                args["output"] = rest[i]
                i += 1
            if i < len(rest) and re.fullmatch(r"\d+-\d+", rest[i]):
                args["range"] = rest[i]
                i += 1
        elif token in ("-l", "--onload"):
            args["onload"] = rest[i + 1]
            i += 2
        elif re.fullmatch(r"\d+-\d+", token):
            args["range"] = token
            i += 1
        elif token.startswith("--"):
            args["flags"].append(token)
            i += 1
        else:
            raise SystemExit(f"unexpected argument {token!r}")
    return args


def main(argv: list[str]) -> int:
    if os.environ.get("FAKE_NATRON_LOG"):
        with open(os.environ["FAKE_NATRON_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps(argv) + "\n")
    if argv[:1] in (["-v"], ["--version"]):
        print("Natron Version 2.5.0\nCopyright (C) 2016 the Natron developers\n>>>Use the --help or -h option to print usage.<<<")
        return 0
    if os.environ.get("FAKE_NATRON_FAIL"):
        print("Error: Read1: Unable to open file", file=sys.stderr)
        return 1
    args = parse(argv)
    writer, project = args["writer"], args["project"]
    first, last = (int(x) for x in args["range"].split("-"))
    target = args["output"]
    if target is None:
        text = open(project, encoding="utf-8").read()
        node = text[text.index(f"<Plugin_script_name>{writer}</Plugin_script_name>"):]
        knob = node[node.index("<Name>filename</Name>"):]
        target = re.search(r"<Value>([^<]*)</Value>", knob).group(1)
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    import imageio_ffmpeg

    count = int(os.environ.get("FAKE_NATRON_FRAMES") or last - first + 1)
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=72x128:rate=24", "-frames:v", str(count), "-c:v", "mpeg4", target], check=True)
    print(f"Rendering finished: {count} frames")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
