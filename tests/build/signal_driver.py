"""Build one action that runs a long ffmpeg encode, inside cmfc.children's signal handling; the signal
test sends this process SIGTERM or SIGINT while ffmpeg runs."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from build_helpers import make_registry  # noqa: E402

from cmfc.build import Action, Output, build  # noqa: E402
from cmfc.children import stopping_children_on_signals  # noqa: E402
from cmfc.mix.ffmpeg import run_ffmpeg  # noqa: E402


def long_encode(ctx) -> None:
    """Ten minutes of test pattern, read in real time (-re): far longer than the test waits."""
    run_ffmpeg(["-re", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25", "-t", "600", "-f", "null", "-"],
               "encoding", "testsrc2")
    ctx.output_path("out").write_bytes(b"done")


if __name__ == "__main__":
    registry = make_registry()
    registry.add("long_encode", long_encode)
    root = Path(sys.argv[1])
    try:
        with stopping_children_on_signals():
            report = build([Action("encode", "long_encode", {}, {}, (Output("out", "out.txt"),))], root,
                           progress=False, registry=registry)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(report.exit_code)
