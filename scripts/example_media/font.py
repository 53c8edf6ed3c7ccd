"""Fetch the Anton typeface (SIL OFL 1.1) from the npm package @fontsource/anton and rebuild a TTF.

The package ships web fonts only, so its Latin-subset WOFF is unwrapped to TrueType with fontTools
in a throwaway venv (fontTools is not a project dependency). The glyph data is Anton's own, unchanged;
only the WOFF wrapper is removed, and the head table's timestamps are kept, so the output is stable.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
import venv
from pathlib import Path

PACKAGE = "@fontsource/anton@5.3.0"
WOFF = "package/files/anton-latin-400-normal.woff"

_CONVERT = """
import sys
from fontTools.ttLib import TTFont
font = TTFont(sys.argv[1], recalcTimestamp=False)
font.flavor = None
font.save(sys.argv[2])
"""


def fetch_anton(dest_ttf: Path, dest_licence: Path) -> None:
    """Download Anton via `npm pack`, write it as TrueType to `dest_ttf` and its OFL text to `dest_licence`."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=work, check=True, stdout=subprocess.DEVNULL)
        (tarball,) = work.glob("*.tgz")
        with tarfile.open(tarball) as archive:
            archive.extractall(work, filter="data")
        venv.create(work / "venv", with_pip=True)
        python = work / "venv" / "bin" / "python"
        subprocess.run([python, "-m", "pip", "install", "-q", "fonttools"], check=True)
        subprocess.run([python, "-c", _CONVERT, work / WOFF, dest_ttf], check=True)
        dest_licence.write_text((work / "package" / "LICENSE").read_text())
    print(f"wrote {dest_ttf} from {PACKAGE}", file=sys.stderr)
