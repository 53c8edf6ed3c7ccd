"""The grammar: lines, blocks, words, strings, colours, comments — and syntax error messages."""

import pytest

from cmfc.diagnostics import CmfError, render
from cmfc.syntax.parser import parse


def shape(text: str):
    def walk(statement):
        return (statement.keyword, [(a.kind, a.value) for a in statement.args], [walk(c) for c in statement.children])
    return [walk(s) for s in parse(text, "t.cmf").statements]


def error(text: str) -> str:
    with pytest.raises(CmfError) as caught:
        parse(text, "t.cmf")
    lines = {"t.cmf": text.splitlines()}
    return "\n".join(render(d, lines) for d in caught.value.diagnostics)


def test_statement_words_and_strings():
    assert shape('line "It isn\'t."\n') == [("line", [("string", "It isn't.")], [])]


def test_string_escapes():
    assert shape(r'text "say \"hi\" \\ bye"') == [("text", [("string", 'say "hi" \\ bye')], [])]


def test_colour_is_not_a_comment_but_other_hashes_are():
    assert shape("base #ffd400  # brand yellow\n") == [("base", [("color", "#FFD400")], [])]
    assert shape("seed 4 #TODO pick one\n") == [("seed", [("word", "4")], [])]


def test_blocks_nest_by_indentation():
    text = "project P\n  voice \"v.wav\"\n    words \"w.json\"\n  seed 1\nscene S X\n"
    assert shape(text) == [
        ("project", [("word", "P")], [("voice", [("string", "v.wav")], [("words", [("string", "w.json")], [])]),
                                      ("seed", [("word", "1")], [])]),
        ("scene", [("word", "S"), ("word", "X")], []),
    ]


def test_comment_only_lines_and_blank_lines_inside_blocks():
    text = "# head\nproject P\n\n  # about the seed\n  seed 1\n\n# tail\n"
    assert shape(text) == [("project", [("word", "P")], [("seed", [("word", "1")], [])])]


def test_positions_are_one_based_lines_and_columns():
    statement = parse("cmf 1\n\nscene SC_01 HOOK-4\n  fx glitch at 3.9s\n", "t.cmf").statements[1]
    fx = statement.children[0]
    assert (fx.span.line, fx.span.col) == (4, 3)
    assert (fx.args[2].span.line, fx.args[2].span.col, fx.args[2].span.width) == (4, 16, 4)


def test_crlf_and_missing_final_newline_and_bom():
    assert shape("\ufeffseed 1\r\nfps 2") == [("seed", [("word", "1")], []), ("fps", [("word", "2")], [])]


def test_unclosed_string_message():
    assert error('line "Most people\n') == (
        't.cmf:1:6: error: this string is not closed\n'
        '    1 | line "Most people\n'
        '      |      ^\n'
        '  hint: add a closing " on the same line (write \\" for a quote inside a string)')


def test_tab_indentation_message():
    assert error("project P\n\tseed 1\n").splitlines()[0] == "t.cmf:2:1: error: a tab is used for indentation"


def test_bad_dedent_message():
    assert error("project P\n    seed 1\n  fps 2\n").splitlines()[0] == \
        "t.cmf:3:1: error: this line's indentation does not match any block above it"


def test_indented_first_line_message():
    assert error("  seed 1\n").splitlines()[0] == \
        "t.cmf:1:1: error: this line is indented, but there is no statement above it to belong to"


def test_statement_cannot_start_with_a_string():
    assert error('"hello"\n').splitlines()[0] == \
        "t.cmf:1:1: error: a statement must start with a word such as scene, line or fx, not a string"


def test_nul_byte_is_refused():
    assert "NUL byte" in error("seed 1\x00\n")
