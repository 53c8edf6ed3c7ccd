"""Stage 1 end to end against a stand-in Messages API on 127.0.0.1 (the real SDK, pointed at it by base_url)."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("anthropic")

from cmfc.cli import cli  # noqa: E402

from .fake_anthropic import HANG, FakeAnthropic, http_error, text_answer, tool_answer  # noqa: E402
from .stage1_helpers import (PARAPHRASED, SENTENCES, good_blueprint, good_premises, good_script,  # noqa: E402
                             paraphrased_script, project, sentence_span)

KEY = "sk-ant-test-0123456789-SECRET"


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    for name in ("ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with FakeAnthropic() as fake:
        yield fake


def sent_key(headers: dict) -> str | None:
    """The key as the SDK sent it (x-api-key; some SDK versions send it as a bearer token)."""
    return headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ") or None


def run(root: Path, *args):
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def assert_key_nowhere(root: Path, *texts: str):
    for text in texts:
        assert KEY not in text
    for path in root.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), f"the API key was written to {path}"


def test_good_run_end_to_end_gives_a_checked_spec_and_reruns_for_free(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url)
    api.queue(tool_answer(good_premises()), tool_answer(good_script()), tool_answer(good_blueprint()))
    result = run(root, "stage1", "talk.wav", "--from", "talk.words.json", "--report", "report.json")
    assert result.exit_code == 0, result.output
    assert len(api.requests) == 3
    assert all(sent_key(h) == KEY for h in api.headers)
    assert api.requests[0]["tool_choice"] == {"type": "tool", "name": "submit_premise_hunter"}
    assert "[0] I used to think discipline" in api.requests[0]["messages"][0]["content"]

    analysis = json.loads((root / "stage1/premise_analysis.json").read_text())
    assert [p["rank"] for p in analysis["premises"]] == [1, 2, 3]
    assert analysis["premises"][0]["scores"]["trinity"] == 8 * 7 * 9
    script = json.loads((root / "stage1/final_script.json").read_text())
    assert [b["text"] for b in script["blocks"]] == [SENTENCES[i] for i in (6, 1, 3, 4, 5)]
    spec = (root / "stage1/short/short.cmf").read_text()
    assert 'line "In 2019 I lost my company and my savings in the same week."' in spec
    assert "scene SC_05 PAYOFF-1" in spec

    checked = run(root / "stage1/short", "check", ".")
    assert checked.exit_code == 0, checked.output
    assert "5 scenes" in checked.output
    # cost per call: 1,200 in x $3/M + 300 out x $15/M (the default rates), printed and in the build report
    assert "stage1:mine: premise_hunter: claude-" in result.output
    assert "1,200 in + 300 out tokens, $0.0081" in result.output
    report = json.loads((root / "report.json").read_text())
    mine_log = next(a["log"] for a in report["actions"] if a["id"] == "stage1:mine")
    assert any("1,200 in + 300 out tokens, $0.0081" in line for line in mine_log)

    again = run(root, "stage1", "talk.wav", "--from", "talk.words.json")
    assert again.exit_code == 0, again.output
    assert len(api.requests) == 3, "a re-run asks the model nothing"
    assert_key_nowhere(root, result.output, again.output)


def test_prompt_edit_reruns_exactly_what_uses_it(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url)
    api.queue(tool_answer(good_premises()), tool_answer(good_script()), tool_answer(good_blueprint()))
    assert run(root, "stage1", "talk.wav", "--from", "talk.words.json").exit_code == 0
    (root / "prompts").mkdir()
    builtin = Path(__file__).parents[2] / "specs/prompts/blueprint_architect.md"
    (root / "prompts/blueprint_architect.md").write_text(builtin.read_text() + "\nPrefer close-ups.\n")
    api.queue(tool_answer(good_blueprint()))
    result = run(root, "stage1", "talk.wav", "--from", "talk.words.json", "--report", "r.json")
    assert result.exit_code == 0, result.output
    assert len(api.requests) == 4
    assert "Prefer close-ups." in api.requests[3]["system"]
    report = json.loads((root / "r.json").read_text())
    statuses = {r["id"]: r["status"] for r in report["actions"]}
    assert statuses == {"stage1:transcribe": "cached", "stage1:mine": "cached", "stage1:script": "cached",
                        "stage1:blueprint": "ran"}


def mine_first(root, api):
    api.queue(tool_answer(good_premises()))
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 0, result.output
    return result


def test_paraphrased_block_is_sent_back_with_the_diff_and_fixed_on_the_second_try(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url)
    mine_first(root, api)
    api.queue(tool_answer(paraphrased_script()), tool_answer(good_script()))
    result = run(root, "script", "talk.words.json", "--premise", "1", "--audio", "talk.wav")
    assert result.exit_code == 0, result.output
    assert "script_composer: try 1 of 3 rejected: block 3" in result.output
    correction = api.requests[2]["messages"][-1]["content"][0]
    assert correction["type"] == "tool_result" and correction["is_error"] is True
    assert correction["tool_use_id"] == api.requests[2]["messages"][-2]["content"][0]["id"]
    assert 'substituted "began" for "started"' in correction["content"]
    first, last = sentence_span(3)
    assert f'Nearest true passage, words {first}..{last}' in correction["content"]
    assert SENTENCES[3] in correction["content"]
    script = json.loads((root / "final_script.json").read_text())
    assert script["blocks"][2]["text"] == SENTENCES[3]


def test_a_model_that_keeps_paraphrasing_fails_after_three_tries_with_the_diff(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url)
    mine_first(root, api)
    api.queue(*[tool_answer(paraphrased_script()) for _ in range(3)])
    result = run(root, "script", "talk.words.json")
    assert result.exit_code == 1
    assert len(api.requests) == 1 + 3
    assert "script_composer: every answer in 3 tries broke the rules" in result.output
    assert f'block "{PARAPHRASED}" is not verbatim' in result.output
    assert 'substituted "began" for "started"' in result.output
    assert "Traceback" not in result.output
    assert not (root / "final_script.json").exists()


def test_malformed_json_is_sent_back_and_the_next_answer_used(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url)
    api.queue(text_answer('{"premises": [{"title": "Discipline"'), tool_answer(good_premises()))
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 0, result.output
    assert "try 1 of 3 rejected: the answer is not valid JSON" in result.output
    assert "not valid JSON" in api.requests[1]["messages"][-1]["content"]
    assert json.loads((root / "premise_analysis.json").read_text())["premises"][0]["title"] == "Discipline is a receipt"


def test_an_answer_outside_the_schema_says_which_field(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url)
    bad = good_premises()
    bad["premises"][0]["scores"]["surprise"] = 40
    api.queue(*[tool_answer(bad) for _ in range(3)])
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 1
    assert "premises.0.scores.surprise: Input should be less than or equal to 10" in result.output


def test_a_platitude_is_rejected_by_the_check(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url)
    platitude = good_premises()
    platitude["premises"][1]["hook"] = "Never give up, even when it is silent"
    api.queue(tool_answer(platitude), tool_answer(good_premises()))
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 0, result.output
    assert 'is a platitude ("never give up")' in api.requests[1]["messages"][-1]["content"][0]["content"]


def test_429_with_retry_after_ms_is_waited_out_by_the_sdk(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url, max_retries=2)
    api.queue(http_error(429, "rate_limit_error", "Number of requests has exceeded your rate limit",
                         {"retry-after-ms": "1200"}), tool_answer(good_premises()))
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 0, result.output
    assert len(api.requests) == 2
    assert api.arrivals[1] - api.arrivals[0] >= 1.15, "the SDK waits what retry-after-ms asks"


def test_429_that_persists_says_rate_limited_and_how_many_tries(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url, max_retries=1)
    api.queue(*[http_error(429, "rate_limit_error", "Rate limited", {"retry-after-ms": "10"})] * 2)
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 1
    assert len(api.requests) == 2
    assert "cmfc: error: the Anthropic API is rate-limiting this key (429) after 2 tries: Rate limited" in result.output


def test_529_overloaded_retried_by_the_sdk_then_reported(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url, max_retries=2)
    overloaded = http_error(529, "overloaded_error", "Overloaded", {"retry-after-ms": "20"})
    api.queue(overloaded, tool_answer(good_premises()))
    assert run(root, "mine", "talk.words.json").exit_code == 0
    assert len(api.requests) == 2
    api.queue(overloaded, overloaded, overloaded)
    result = run(root, "mine", "other.json") if False else None  # noqa: F841 (same call would be cached)
    (root / "premise_analysis.json").unlink()
    (root / "talk2.words.json").write_text((root / "talk.words.json").read_text().replace("five", "six"))
    result = run(root, "mine", "talk2.words.json")
    assert result.exit_code == 1
    assert len(api.requests) == 2 + 3
    assert "the Anthropic API is overloaded (529) after 3 tries: Overloaded" in result.output
    assert "running the command again resumes" in result.output


def test_a_timeout_counts_the_sdk_retries_and_says_what_to_change(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url, max_retries=1, timeout=0.3)
    api.queue(HANG, HANG)
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 1
    assert len(api.requests) == 2
    assert "cmfc: error: no answer from the Anthropic API within 0.3s (2 tries); raise [stage1] timeout" in result.output
    assert "Traceback" not in result.output


def test_stage1_stops_at_the_first_failure_and_names_it(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url)
    api.queue(tool_answer(good_premises()), *[tool_answer(paraphrased_script()) for _ in range(3)])
    result = run(root, "stage1", "talk.wav", "--from", "talk.words.json")
    assert result.exit_code == 1
    assert "stage1:script" in result.output and "every answer in 3 tries broke the rules" in result.output
    assert "Traceback" not in result.output
    assert len(api.requests) == 4, "the blueprint is never asked for"
    assert not (root / "stage1/short").exists()


def test_no_key_says_where_to_put_it_and_a_dotenv_key_works(tmp_path, api, monkeypatch):
    root = project(tmp_path / "talk", api.base_url)
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 1
    assert "no Anthropic API key: set ANTHROPIC_API_KEY in the environment or in .env" in result.output
    (root / ".env").write_text(f"ANTHROPIC_API_KEY={KEY}\n")
    api.queue(tool_answer(good_premises()))
    assert run(root, "mine", "talk.words.json").exit_code == 0
    assert sent_key(api.headers[-1]) == KEY


def test_blueprint_that_fails_check_prints_the_check_errors(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url)
    mine_first(root, api)
    api.queue(tool_answer(good_script()))
    assert run(root, "script", "talk.words.json", "--audio", "talk.wav").exit_code == 0
    script = json.loads((root / "final_script.json").read_text())
    script["blocks"][1]["text"] = "words nobody ever said"  # a hand edit that breaks the Mandate
    (root / "final_script.json").write_text(json.dumps(script))
    api.queue(tool_answer(good_blueprint()))
    result = run(root, "blueprint", "final_script.json", "--out", "short")
    assert result.exit_code == 1
    assert "the blueprint does not pass cmfc check" in result.output
    assert "scene SC_02's line is not verbatim in the voice-over" in result.output


def test_stage1_without_a_recogniser_or_from_says_what_to_install(tmp_path, api):
    from cmfc.narrative.transcribe import available_backend

    if available_backend() is not None:
        pytest.skip("a recogniser is installed")
    root = project(tmp_path / "talk", api.base_url)
    result = run(root, "stage1", "talk.wav")
    assert result.exit_code == 1
    assert "no speech recogniser is installed: pip install 'cmfc[transcribe]'" in result.output
    assert "Traceback" not in result.output and api.requests == []


def test_without_the_sdk_the_agents_say_what_to_install(tmp_path, api, monkeypatch):
    import sys

    root = project(tmp_path / "talk", api.base_url)
    monkeypatch.setitem(sys.modules, "anthropic", None)  # import anthropic now raises ImportError
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 1
    assert "cmfc: error: the stage-1 agents need the Anthropic SDK: pip install 'cmfc[agents]'" in result.output


def test_rates_from_cmfc_toml_price_each_call(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url)
    with (root / "cmfc.toml").open("a") as handle:
        handle.write("[stage1.rates]\ninput = 1.0\noutput = 10.0\n")
    api.queue(tool_answer(good_premises(), input_tokens=10_000, output_tokens=2_000))
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 0, result.output
    assert "10,000 in + 2,000 out tokens, $0.0300" in result.output
    calls = json.loads((root / "premise_analysis.json").read_text())["calls"]
    assert calls[0]["cost_usd"] == 0.03 and calls[0]["input_tokens"] == 10_000


def test_model_and_temperature_from_cmfc_toml_reach_the_api_and_the_key(tmp_path, api):
    from cmfc.narrative.config import newest_sonnet

    root = project(tmp_path / "talk", api.base_url)
    api.queue(tool_answer(good_premises()))
    assert run(root, "mine", "talk.words.json").exit_code == 0
    assert api.requests[0]["model"] == newest_sonnet() and newest_sonnet().startswith("claude-sonnet-")
    assert "temperature" not in api.requests[0]
    with (root / "cmfc.toml").open("a") as handle:
        handle.write('model = "claude-haiku-4-5"\ntemperature = 0.3\n')
    api.queue(tool_answer(good_premises()))
    assert run(root, "mine", "talk.words.json").exit_code == 0
    assert len(api.requests) == 2, "another model or temperature is another key: asked again"
    assert api.requests[1]["model"] == "claude-haiku-4-5" and api.requests[1]["temperature"] == 0.3


def test_a_wrong_setting_names_the_key(tmp_path, api):
    root = project(tmp_path / "talk", api.base_url, max_retries=-1)
    result = run(root, "mine", "talk.words.json")
    assert result.exit_code == 1
    assert "cmfc.toml [stage1] max_retries = -1: expected a whole number from 0 to 20" in result.output
