"""A huge one-line script gives a readable diagnostic: ~200 characters of the line around the caret,
not the line echoed in full (a 5 MB .cmf printed 20 MB)."""

from __future__ import annotations

from click.testing import CliRunner

from cmfc.cli import cli
from cmfc.diagnostics import Diagnostic, Span, render


def test_a_5_mb_one_line_script_prints_a_few_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.cmf").write_text("cmf 1 " + "x" * 5_000_000)
    result = CliRunner().invoke(cli, ["check", "big.cmf"])
    assert result.exit_code == 1
    assert len(result.output) < 3000, len(result.output)
    assert "error: the script has no project block" in result.output
    for line in result.output.splitlines():
        assert len(line) < 400


def test_the_caret_stays_under_the_token_in_a_cut_line():
    line = "  format 1080x1920 24fps" + " " * 3000 + "zz" + " " * 3000
    col = line.index("zz") + 1
    text = render(Diagnostic(Span("t.cmf", 3, col, 2), "format: unexpected zz"), {"t.cmf": ["", "", line]})
    shown, carets = text.splitlines()[1:3]
    assert shown.startswith("    3 | …") and shown.endswith("…")
    assert len(shown) < 220
    at = carets.index("^")
    assert shown[at:at + 2] == "zz" and carets[at:] == "^^"


def test_a_short_line_is_shown_whole():
    text = render(Diagnostic(Span("t.cmf", 1, 5, 3), "bad"), {"t.cmf": ["cmf 1 extra"]})
    assert text.splitlines()[1:] == ["    1 | cmf 1 extra", "      |     ^^^"]
