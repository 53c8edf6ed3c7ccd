"""[executors] in cmfc.toml, --comfyui, tokens from the environment or .env (never anywhere else)."""

import pytest

from cmfc.diagnostics import CmfError
from cmfc.executors.config import load_config, make_pool, token


def test_the_toml_list_and_numbers_and_the_flag_replacing_the_list(tmp_path):
    (tmp_path / "cmfc.toml").write_text('[executors]\ncomfyui = ["http://gpu1:8188", "http://gpu2:8188"]\n'
                                        'max_in_flight = 2\nrun_timeout = 600\n')
    config = load_config(tmp_path)
    assert config.comfyui == ("http://gpu1:8188", "http://gpu2:8188") and config.max_in_flight == 2
    assert config.run_timeout == 600.0
    assert load_config(tmp_path, ("http://other:8188",)).comfyui == ("http://other:8188",)
    pool = make_pool(tmp_path, config)
    assert [e.label for e in pool.executors] == ["http://gpu1:8188", "http://gpu2:8188"]
    assert pool.max_in_flight == 2


def test_bad_settings_are_errors_that_say_what_was_expected(tmp_path):
    (tmp_path / "cmfc.toml").write_text('[executors]\ncomfyui = "gpu1:8188"\n')
    with pytest.raises(CmfError, match="http:// or https://"):
        load_config(tmp_path)
    (tmp_path / "cmfc.toml").write_text('[executors]\nmax_in_flight = 0\n')
    with pytest.raises(CmfError, match="max_in_flight = 0: expected a number > 0"):
        load_config(tmp_path)


def test_the_token_comes_from_the_environment_else_dotenv_and_stays_out_of_labels(tmp_path, monkeypatch):
    monkeypatch.delenv("CMFC_COMFYUI_TOKEN", raising=False)
    (tmp_path / "cmfc.toml").write_text('[executors]\ncomfyui = ["https://u:pw@proxy.example:443/x"]\n'
                                        'token_env = "MY_TOKEN"\n')
    (tmp_path / ".env").write_text("MY_TOKEN=from-dotenv-123\n")
    config = load_config(tmp_path)
    assert token(tmp_path, config) == "from-dotenv-123"
    monkeypatch.setenv("MY_TOKEN", "from-env-456")
    assert token(tmp_path, config) == "from-env-456"
    executor = make_pool(tmp_path, config).executors[0]
    assert executor.label == "https://proxy.example:443/x"
    assert "pw" not in repr(executor) and "from-env-456" not in repr(executor)
