"""The narrative lab against the stage-1 stand-in Messages server: premises shown, GREENLIGHT runs the
Script Composer, LOCK SCRIPT writes the spec and shows cmfc check's verdict."""

from __future__ import annotations

import json
import os
from importlib.util import find_spec

import pytest

pytest.importorskip("streamlit")
pytest.importorskip("anthropic")

from click.testing import CliRunner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from cmfc.cli import cli  # noqa: E402
from tests.narrative.fake_anthropic import FakeAnthropic, tool_answer  # noqa: E402
from tests.narrative.stage1_helpers import SENTENCES, good_blueprint, good_premises, good_script, project  # noqa: E402

APP = find_spec("cmfc.console.app").origin
KEY = "sk-ant-test-console-SECRET"


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    for name in ("ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with FakeAnthropic() as fake:
        yield fake


def test_greenlight_composes_the_script_and_lock_writes_a_checked_spec(tmp_path, api, monkeypatch):
    root = project(tmp_path / "talk", api.base_url)
    api.queue(tool_answer(good_premises()))
    old = os.getcwd()
    os.chdir(root)
    try:
        assert CliRunner().invoke(cli, ["mine", "talk.words.json"]).exit_code == 0
    finally:
        os.chdir(old)
    monkeypatch.setenv("CMFC_CONSOLE_SPEC", str(root))  # no spec yet: the lab is what there is
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert "1. Discipline is a receipt" in text and "trinity 504" in text
    assert any(SENTENCES[6] in c.value for c in app.caption)

    api.queue(tool_answer(good_script()))
    app.button(key="greenlight_1").click().run()
    assert "GREENLIGHT premise 1: script exit 0" in app.success[0].value, app.error
    assert len(api.requests) == 2 and api.requests[1]["tool_choice"]["name"] == "submit_script_composer"
    script = json.loads((root / "final_script.json").read_text())
    assert [b["text"] for b in script["blocks"]] == [SENTENCES[i] for i in (6, 1, 3, 4, 5)]
    shown = [m.value for m in app.markdown]
    assert f"1. {SENTENCES[6]}" in shown

    api.queue(tool_answer(good_blueprint()))
    app.button(key="lock_script").click().run()
    assert "cmfc check exit 0" in app.success[0].value, app.error
    assert "5 scenes" in app.code[0].value
    specs = list(root.rglob("*.cmf"))
    assert len(specs) == 1 and 'line "In 2019 I lost my company' in specs[0].read_text()
    for path in root.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
