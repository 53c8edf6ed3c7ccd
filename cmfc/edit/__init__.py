"""Spec edits: every decision a small, checked, atomic edit of the spec file.

``edit_spec(SPEC, edits)`` reads the spec (a .cmf script or a YAML/JSON blueprint), applies the edits as
text (only the lines that change; comments and layout kept), re-checks the result the way ``cmfc check``
does, and only then replaces the file atomically. An edit that would make the spec invalid raises
``EditRefused`` with the check's diagnostics (positioned in the edited text, which ``refused.source``
holds) and leaves the file byte-identical. ``expected`` (the digest ``read_spec`` returned) makes an
edit made from an old view of the file fail with ``StaleEdit`` instead of overwriting someone else's change;
edits of one file are serialised by a lock on it, so concurrent editors never corrupt the spec.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cmfc.diagnostics import CmfError
from cmfc.edit.ops import Edit, EditError, Text, Word, parse_note, typed_args
from cmfc.project import SpecLocation, locate


class EditRefused(CmfError):
    """The edited spec does not check; the file was left as it was."""

    def __init__(self, diagnostics, source: str, path: str):
        super().__init__(diagnostics)
        self.source = source  # the edited text the diagnostics point into
        self.path = path


class StaleEdit(EditError):
    """The spec changed since it was read; the edit was not applied."""


@dataclass(frozen=True)
class EditResult:
    location: SpecLocation
    before: str
    after: str
    digest: str  # of the file as written (pass it as ``expected`` for the next edit)
    compiled: object  # the checked Compiled of the new spec

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        return unified_diff(self.before, self.after, self.location.display)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_spec(argument: str) -> tuple[str, str]:
    """The spec's text and the digest to pass back as ``expected``."""
    location = locate(argument)
    raw = location.spec.read_bytes()
    return raw.decode("utf-8"), digest(raw)


def unified_diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}"))


def apply_text_edits(text: str, path: str, edits: list[Edit]) -> str:
    """``text`` (a spec of the form ``path``'s extension says) with ``edits`` applied, unchecked."""
    if path.lower().endswith(".cmf"):
        from cmfc.edit.cmf_text import apply_cmf_edits

        return apply_cmf_edits(text, path, edits)
    from cmfc.edit.blueprint_text import apply_blueprint_edits

    return apply_blueprint_edits(text, path, edits)


def check_text(text: str, location: SpecLocation):
    """Check ``text`` as the spec at ``location`` (its assets and frameworks), as ``cmfc check`` would."""
    from cmfc.check import resolve
    from cmfc.frameworks.load import load_frameworks
    from cmfc.lower.spec import parse_blueprint_file, parse_cmf_file

    path = location.display
    parse = parse_cmf_file if location.spec.suffix == ".cmf" else parse_blueprint_file
    spec, positions = parse(text, path)
    extra = location.root / "frameworks"
    frameworks = load_frameworks(extra if extra.is_dir() else None)
    return resolve(spec, positions, location, frameworks, defer_music=True)


def preview_edits(argument: str, edits: list[Edit]) -> EditResult:
    """What ``edit_spec`` would write, checked, without writing it (for a diff shown before applying)."""
    location = locate(argument)
    raw = location.spec.read_bytes()
    return _edited(location, raw, edits)


def edit_spec(argument: str, edits: list[Edit], expected: str | None = None) -> EditResult:
    """Apply ``edits`` to the spec named by ``argument``; check; write atomically. See the module docstring."""
    location = locate(argument)
    with _locked(location.spec) as raw:
        if expected is not None and digest(raw) != expected:
            raise StaleEdit(f"{location.display} changed since it was read (someone else edited it); "
                            "reload it and make the edit again")
        result = _edited(location, raw, edits)
        if result.changed:
            _replace(location.spec, result.after.encode("utf-8"))
    return result


def _edited(location: SpecLocation, raw: bytes, edits: list[Edit]) -> EditResult:
    try:
        before = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{location.display} is not UTF-8 text") from None
    after = apply_text_edits(before, location.display, edits)
    try:
        compiled = check_text(after, location)
    except CmfError as error:
        raise EditRefused(error.diagnostics, after, location.display) from None
    return EditResult(location, before, after, digest(after.encode("utf-8")), compiled)


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on the spec file as it is now, yielding its bytes.

    Edits replace the file (a new inode), so after taking the lock we make sure it is still the file at
    ``path``; if another editor replaced it meanwhile we lock the new one instead.
    """
    import fcntl

    while True:
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            if current is None or (current.st_ino, current.st_dev) != (os.fstat(fd).st_ino, os.fstat(fd).st_dev):
                continue
            with open(path, "rb") as handle:
                raw = handle.read()
            yield raw
            return
        finally:
            os.close(fd)


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` over ``path`` atomically, keeping the file's permissions."""
    mode = os.stat(path).st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


__all__ = ["Edit", "EditError", "EditRefused", "EditResult", "StaleEdit", "Text", "Word", "check_text",
           "edit_spec", "parse_note", "preview_edits", "read_spec", "typed_args", "unified_diff"]
