"""Which executors a build uses: ``[executors]`` in cmfc.toml, ``--comfyui URL`` flags, tokens from the environment.

``cmfc.toml``::

    [executors]
    comfyui = ["http://gpu1:8188", "http://gpu2:8188"]
    max_in_flight = 1          # prompts queued per server at once
    cooldown = 30              # seconds a failing server rests before it gets work again
    connect_timeout = 5        # seconds, every HTTP call
    read_timeout = 30          # seconds, every HTTP call
    run_timeout = 3600         # seconds, one stage end to end
    token_env = "COMFYUI_TOKEN"  # the NAME of the variable holding a proxy token (never the token itself)

The token is read from that environment variable (or ``CMFC_COMFYUI_TOKEN``), a ``.env`` file in the
project folder filling in what the environment lacks; it never enters cmfc.toml, a key, a log or the manifest.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostic, Span

DEFAULT_TOKEN_ENV = "CMFC_COMFYUI_TOKEN"
_NUMBERS = {"max_in_flight": int, "cooldown": float, "connect_timeout": float, "read_timeout": float,
            "run_timeout": float}


@dataclass(frozen=True)
class ExecutorsConfig:
    comfyui: tuple[str, ...] = ()
    max_in_flight: int = 1
    cooldown: float = 30.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    run_timeout: float = 3600.0
    token_env: str = DEFAULT_TOKEN_ENV
    extra: dict = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        return bool(self.comfyui)


def load_config(root: Path, cli_urls: tuple[str, ...] = ()) -> ExecutorsConfig:
    """The project's executor settings; ``--comfyui`` URLs replace the file's list when given."""
    config = Path(root) / "cmfc.toml"
    section: dict = {}
    if config.is_file():
        try:
            section = tomllib.loads(config.read_text(encoding="utf-8")).get("executors", {}) or {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise CmfError([Diagnostic(Span(str(config)), f"cmfc.toml is not valid TOML: {error}")]) from None
    values: dict = {}
    urls = section.get("comfyui", [])
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise CmfError([Diagnostic(Span(str(config)), "cmfc.toml [executors] comfyui: expected a list of URLs "
                                   "like [\"http://gpu1:8188\"]")])
    values["comfyui"] = tuple(cli_urls) if cli_urls else tuple(urls)
    for key, kind in _NUMBERS.items():
        if key in section:
            value = section[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise CmfError([Diagnostic(Span(str(config)), f"cmfc.toml [executors] {key} = {value!r}: "
                                           "expected a number > 0")])
            values[key] = kind(value)
    if "token_env" in section:
        values["token_env"] = str(section["token_env"])
    for url in values["comfyui"]:
        if not url.startswith(("http://", "https://")):
            raise CmfError([Diagnostic(Span(str(config) if not cli_urls else "--comfyui"),
                                       f"{_safe(url)}: a ComfyUI server is an http:// or https:// URL")])
    return ExecutorsConfig(**values)


def token(root: Path, config: ExecutorsConfig) -> str | None:
    """The proxy token from the environment, else from the project's .env (python-dotenv)."""
    for name in (config.token_env, DEFAULT_TOKEN_ENV):
        if os.environ.get(name):
            return os.environ[name]
    env_file = Path(root) / ".env"
    if env_file.is_file():
        from dotenv import dotenv_values

        values = dotenv_values(env_file)
        for name in (config.token_env, DEFAULT_TOKEN_ENV):
            if values.get(name):
                return values[name]
    return None


def make_pool(root: Path, config: ExecutorsConfig, scratch: Path | None = None):
    """The ComfyUI pool for ``config`` (None when no server is configured)."""
    if not config.configured:
        return None
    from .base import ExecutorPool
    from .comfyui import ComfyUIExecutor, Timeouts

    timeouts = Timeouts(connect=config.connect_timeout, read=config.read_timeout, run=config.run_timeout)
    secret = token(root, config)
    executors = [ComfyUIExecutor(url, token=secret, timeouts=timeouts, scratch=scratch) for url in config.comfyui]
    return ExecutorPool(executors, max_in_flight=config.max_in_flight, cooldown=config.cooldown)


def _safe(url: str) -> str:
    from .comfyui import server_label

    return server_label(url) if "://" in url else url
