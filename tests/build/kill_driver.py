"""Build a few dozen slow synthetic actions in ROOT (argv[1]); the kill test SIGKILLs this process."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from build_helpers import make_registry, wide_project  # noqa: E402

from cmfc.build import build  # noqa: E402

SCENES = 16  # 33 actions, one stored output each

if __name__ == "__main__":
    root = Path(sys.argv[1])
    report = build(wide_project(root, SCENES, kind="slow", params={"ms": 24}), root, jobs=4,
                   progress=False, registry=make_registry())
    sys.exit(report.exit_code)
