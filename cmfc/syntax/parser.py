"""Parse .cmf text into a Document, turning every lark error into a positioned Diagnostic."""

from __future__ import annotations

import functools
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.indenter import DedentError

from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.syntax.tree import Arg, Document, Statement, unescape_string

INDENT_WIDTH = 2


class _IndentProblem(Exception):
    """Raised by the indenter; parse() turns it into a Diagnostic (lines here count the extra leading newline)."""

    def __init__(self, line: int, width: int, message: str, hint: str):
        super().__init__(message)
        self.line, self.width, self.message, self.hint = line, width, message, hint


class _CmfIndenter:
    """Turns newline tokens into INDENT/DEDENT, reporting bad indentation with its position.

    Like lark's Indenter, but the indentation of a line is read after the last newline of the
    token (the token also swallows comment-only lines), and tabs are refused with a message.
    """

    always_accept = ("_NL",)

    def __init__(self):
        self.levels = [0]

    def process(self, stream):
        self.levels = [0]
        for token in stream:
            if token.type == "_NL":
                yield from self._handle_nl(token)
            else:
                yield token
        while len(self.levels) > 1:
            self.levels.pop()
            yield Token("_DEDENT", "")

    def _handle_nl(self, token: Token):
        yield token
        last_line = token.value.rsplit("\n", 1)[1]
        indent_text = last_line[: len(last_line) - len(last_line.lstrip(" \t"))]
        line = token.end_line if token.end_line is not None else token.line
        if "\t" in indent_text:
            raise _IndentProblem(line, len(indent_text), "a tab is used for indentation",
                                 "indent with two spaces per level")
        indent = len(indent_text)
        if indent > self.levels[-1]:
            self.levels.append(indent)
            yield Token.new_borrow_pos("_INDENT", indent_text, token)
        else:
            while indent < self.levels[-1]:
                self.levels.pop()
                yield Token.new_borrow_pos("_DEDENT", indent_text, token)
            if indent != self.levels[-1]:
                raise _IndentProblem(line, max(1, indent),
                                     "this line's indentation does not match any block above it",
                                     f"indent by {INDENT_WIDTH} spaces per level, lining up with the block it belongs to")


@functools.lru_cache(maxsize=1)
def _grammar_text() -> str:
    return resources.files("cmfc.grammar").joinpath("cmf.lark").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(_grammar_text(), parser="lalr", lexer="contextual", postlex=_CmfIndenter(),
                maybe_placeholders=False)


def parse(text: str, path: str) -> Document:
    """Parse a .cmf source; raise CmfError with a positioned diagnostic on a syntax error."""
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CmfError([Diagnostic(Span(path, line, 1), "this file contains a NUL byte: is it really a .cmf script?")])
    source = text if text.endswith("\n") else text + "\n"
    # A leading newline makes the first line's indentation visible to the indenter;
    # every position below subtracts that line again.
    try:
        tree = _lark().parse("\n" + source)
    except _IndentProblem as problem:
        raise CmfError([Diagnostic(Span(path, problem.line - 1, 1, problem.width), problem.message,
                                   hint=problem.hint)]) from None
    except UnexpectedInput as error:
        raise CmfError([_diagnostic_for(error, source, path)]) from None
    except DedentError as error:  # pragma: no cover - our indenter raises _IndentProblem instead
        raise CmfError([Diagnostic(Span(path), str(error))]) from None
    return Document(path=path, text=text, statements=[_statement(child, path) for child in tree.children])


def _statement(tree: Tree, path: str) -> Statement:
    keyword: Token = tree.children[0]
    statement = Statement(keyword=str(keyword), span=_span(keyword, path))
    for child in tree.children[1:]:
        if isinstance(child, Tree):  # block
            statement.children = [_statement(grandchild, path) for grandchild in child.children]
        else:
            statement.args.append(_arg(child, path))
    return statement


def _arg(token: Token, path: str) -> Arg:
    raw = str(token)
    if token.type == "STRING":
        return Arg("string", unescape_string(raw), _span(token, path), raw)
    if token.type == "COLOR":
        return Arg("color", raw.upper(), _span(token, path), raw)
    return Arg("word", raw, _span(token, path), raw)


def _span(token: Token, path: str) -> Span:
    return Span(path, token.line - 1, token.column, max(1, len(token.value)))


def _diagnostic_for(error: UnexpectedInput, source: str, path: str) -> Diagnostic:
    line = max(1, (getattr(error, "line", 1) or 1) - 1)
    col = max(1, getattr(error, "column", 1) or 1)
    if isinstance(error, UnexpectedCharacters):
        lines = source.split("\n")
        char = lines[line - 1][col - 1:col] if line <= len(lines) else ""
        if char == '"':
            return Diagnostic(Span(path, line, col), "this string is not closed",
                              hint='add a closing " on the same line (write \\" for a quote inside a string)')
        return Diagnostic(Span(path, line, col), f"unexpected character {char!r}"
                          + (" (U+%04X)" % ord(char) if char and not char.isprintable() else ""),
                          hint="lines end with a newline; other control characters belong in no .cmf script"
                          if char and not char.isprintable() else None)
    if isinstance(error, UnexpectedEOF):
        return Diagnostic(Span(path, line, col), "the file ends in the middle of a statement")
    if isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "_INDENT":
            return Diagnostic(Span(path, line, 1, max(1, len(token.value))),
                              "this line is indented, but there is no statement above it to belong to",
                              hint="remove the indentation")
        if token.type in ("STRING", "COLOR"):
            return Diagnostic(Span(path, token.line - 1, token.column, len(token.value)),
                              "a statement must start with a word such as scene, line or fx, not a "
                              + ("string" if token.type == "STRING" else "colour"))
        return Diagnostic(Span(path, line, col), f"unexpected {token.value!r}")
    return Diagnostic(Span(path, line, col), "could not read this line")
