"""Calling the stage-1 agents: the Anthropic Messages API with a forced tool whose schema is a pydantic model.

Every call is content-addressed: its key is the sha256 of the whole request (model, temperature,
the prompt file's digest, the messages, which carry the inputs, and the answer's schema), and the
answer is kept under ``.cmfc/agents/``. A re-run asks nothing; a prompt edit re-asks exactly the
calls that used it. The API key comes from ``ANTHROPIC_API_KEY`` or the project's ``.env`` and is
passed to the SDK only: never logged, never part of a key, a file or a message.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ValidationError

from cmfc.fsutil import atomic_write_text, sha256_bytes
from cmfc.narrative.config import Stage1Config

CACHE_FORMAT = 1
INSTALL_AGENTS = "pip install 'cmfc[agents]'"


class AgentError(Exception):
    """A failure the user must act on (no key, the API refused or gave up): a message, no traceback."""


class MalformedAnswer(Exception):
    """The model's answer did not fill the schema; the text says how (sent back to the model)."""

    def __init__(self, text: str, message: dict):
        super().__init__(text)
        self.text = text
        self.message = message


class RejectedAnswer(AgentError):
    """Every try broke a rule (the Verbatim Mandate, the schema, the platitude list): the last problems."""

    def __init__(self, agent: str, tries: int, problems: list[str]):
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{agent}: every answer in {tries} tries broke the rules; the last one:\n{listed}")


MAX_TRIES = 3


@dataclass(frozen=True)
class Prompt:
    """A versioned system prompt: its name, text and digest (the digest enters every key)."""

    name: str
    text: str
    source: str

    @property
    def digest(self) -> str:
        return sha256_bytes(self.text.encode("utf-8"))


def load_prompt(name: str, root: Path) -> Prompt:
    """``root/prompts/NAME.md`` when the project has one, else the built-in ``specs/prompts/NAME.md``."""
    override = root / "prompts" / f"{name}.md"
    if override.is_file():
        return Prompt(name, override.read_text(encoding="utf-8"), f"prompts/{name}.md")
    from importlib.resources import files

    return Prompt(name, files("cmfc.prompts_data").joinpath(f"{name}.md").read_text(encoding="utf-8"),
                  f"built-in {name}.md")


@dataclass
class CallRecord:
    """One agent call: which agent, model and key, tokens used and what they cost, whether it was reused."""

    agent: str
    model: str
    key: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    cached: bool

    def line(self) -> str:
        reused = " (stored answer, nothing spent now)" if self.cached else ""
        return (f"{self.agent}: {self.model}, {self.input_tokens:,} in + {self.output_tokens:,} out tokens, "
                f"${self.cost_usd:.4f}{reused}")

    def to_json(self) -> dict:
        return {"agent": self.agent, "model": self.model, "key": self.key, "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens, "cost_usd": round(self.cost_usd, 6)}


@dataclass
class Conversation:
    """The messages of one agent's exchange (the first holds the inputs; corrections follow)."""

    messages: list[dict] = field(default_factory=list)


def api_key(root: Path) -> str:
    """The key from the environment, else from ``root/.env``; AgentError saying where to put it."""
    key = os.environ.get("ANTHROPIC_API_KEY")
    if not key and (root / ".env").is_file():
        try:
            from dotenv import dotenv_values
        except ImportError:
            raise AgentError(f"reading .env needs python-dotenv: {INSTALL_AGENTS}") from None
        key = dotenv_values(root / ".env").get("ANTHROPIC_API_KEY")
    if not key:
        raise AgentError("no Anthropic API key: set ANTHROPIC_API_KEY in the environment or in .env at the project root")
    return key


class Agents:
    """The client every stage-1 agent goes through; ``echo`` receives one line per call."""

    def __init__(self, config: Stage1Config, echo: Callable[[str], None] = lambda line: None, client=None):
        self.config = config
        self.model = config.resolved_model()
        self.echo = echo
        self.calls: list[CallRecord] = []
        self._client = client
        self._cache = config.root / ".cmfc" / "agents"

    def client(self):
        """The SDK client, made on the first call that is not in the store (so reruns need neither SDK nor key)."""
        if self._client is None:
            try:
                import anthropic
            except ImportError:
                raise AgentError(f"the stage-1 agents need the Anthropic SDK: {INSTALL_AGENTS}") from None
            options = {"api_key": api_key(self.config.root), "max_retries": self.config.max_retries,
                       "timeout": self.config.timeout}
            if self.config.base_url:
                options["base_url"] = self.config.base_url
            self._client = anthropic.Anthropic(**options)
        return self._client

    def ask(self, agent: str, prompt: Prompt, conversation: Conversation, answer: type[BaseModel]) -> tuple[dict, BaseModel]:
        """One turn: the assistant's message (to append to the conversation) and the validated answer.

        Raises MalformedAnswer (with the assistant message as ``.message``) when the answer does not
        fill the schema, AgentError when the API cannot be used.
        """
        tool = {"name": f"submit_{agent}", "description": (answer.__doc__ or agent).strip(),
                "input_schema": answer.model_json_schema()}
        request = {"model": self.model, "max_tokens": self.config.max_tokens, "system": prompt.text,
                   "messages": conversation.messages, "tools": [tool],
                   "tool_choice": {"type": "tool", "name": tool["name"]}}
        if self.config.temperature is not None:
            request["temperature"] = self.config.temperature
        key = sha256_bytes(json.dumps({"format": CACHE_FORMAT, "agent": agent, "prompt": prompt.digest,
                                       "request": request}, sort_keys=True, separators=(",", ":")).encode("utf-8"))
        stored = self._cache / key[:2] / f"{key}.json"
        cached = stored.is_file()
        if cached:
            response = json.loads(stored.read_text(encoding="utf-8"))
        else:
            response = self._send(request)
            atomic_write_text(stored, json.dumps(response, sort_keys=True, indent=1) + "\n")
        usage = response.get("usage") or {}
        tokens_in = int(usage.get("input_tokens") or 0) + int(usage.get("cache_creation_input_tokens") or 0) \
            + int(usage.get("cache_read_input_tokens") or 0)
        tokens_out = int(usage.get("output_tokens") or 0)
        rates = self.config.rates
        record = CallRecord(agent, self.model, key, tokens_in, tokens_out,
                            (tokens_in * rates["input"] + tokens_out * rates["output"]) / 1_000_000, cached)
        self.calls.append(record)
        self.echo(record.line())
        message = {"role": "assistant", "content": response.get("content") or []}
        return message, _validated(response, tool["name"], answer, message)

    def _send(self, request: dict) -> dict:
        client = self.client()  # first: without the SDK this is the "what to install" message
        import anthropic

        body = dict(request)
        extra = {"temperature": body.pop("temperature")} if "temperature" in body else None
        tries = self.config.max_retries + 1
        try:
            response = client.messages.create(**body, extra_body=extra) if extra else client.messages.create(**body)
        except anthropic.APITimeoutError:
            raise AgentError(f"no answer from the Anthropic API within {self.config.timeout:g}s "
                             f"({_tries(tries)}); raise [stage1] timeout in cmfc.toml or try again") from None
        except anthropic.APIConnectionError as error:
            raise AgentError(f"cannot reach the Anthropic API ({_tries(tries)}): {error}") from None
        except anthropic.APIStatusError as error:
            raise AgentError(_status_message(error, tries)) from None
        return response.model_dump(mode="json", exclude_none=True)


def _tries(count: int) -> str:
    return f"{count} {'try' if count == 1 else 'tries'}"


def _status_message(error, tries: int) -> str:
    status = error.status_code
    detail = ""
    body = error.body if isinstance(getattr(error, "body", None), dict) else {}
    if isinstance(body.get("error"), dict) and isinstance(body["error"].get("message"), str):
        detail = f": {body['error']['message']}"
    again = "; every answer already received is stored, so running the command again resumes"
    if status == 429:
        return f"the Anthropic API is rate-limiting this key (429) after {_tries(tries)}{detail}{again}"
    if status == 529:
        return f"the Anthropic API is overloaded (529) after {_tries(tries)}{detail}{again}"
    if status == 401:
        return "the Anthropic API refused the API key (401): check ANTHROPIC_API_KEY"
    if status >= 500:
        return f"the Anthropic API failed ({status}) after {_tries(tries)}{detail}{again}"
    return f"the Anthropic API refused the request ({status}){detail}"


def _validated(response: dict, tool_name: str, answer: type[BaseModel], message: dict) -> BaseModel:
    """The forced tool's input as ``answer``; MalformedAnswer saying what is wrong otherwise."""
    for block in response.get("content") or []:
        if block.get("type") == "tool_use" and block.get("name") == tool_name:
            payload = block.get("input")
            break
    else:
        texts = [b.get("text", "") for b in response.get("content") or [] if b.get("type") == "text"]
        if not texts:
            raise MalformedAnswer(f"the answer holds no {tool_name} call", message)
        try:
            payload = json.loads(texts[0])  # a model that wrote the JSON as text instead of calling the tool
        except json.JSONDecodeError as error:
            raise MalformedAnswer(f"the answer is not valid JSON ({error.msg} at line {error.lineno} column "
                                  f"{error.colno}); call {tool_name} with the schema's fields", message) from None
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as error:
            raise MalformedAnswer(f"the answer is not valid JSON ({error.msg}); call {tool_name} with the "
                                  "schema's fields", message) from None
    try:
        return answer.model_validate(payload)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in error.errors()[:8])
        raise MalformedAnswer(f"the answer does not fit the schema: {problems}", message) from None


def correction(message: dict, text: str) -> dict:
    """The user turn that answers ``message`` with what to fix (a tool_result error when it called the tool)."""
    uses = [b for b in message.get("content") or [] if b.get("type") == "tool_use"]
    if uses:
        return {"role": "user", "content": [{"type": "tool_result", "tool_use_id": uses[0].get("id", ""),
                                             "is_error": True, "content": text}]}
    return {"role": "user", "content": text}


def converse(agents: Agents, agent: str, prompt: Prompt, first_turn: str, answer: type[BaseModel],
             verify: Callable[[BaseModel], list[str]], tries: int = MAX_TRIES) -> BaseModel:
    """Ask, verify, and send every problem back with what to fix, at most ``tries`` times.

    ``verify`` returns the problems with an answer (empty: accepted). RejectedAnswer after the last try.
    """
    conversation = Conversation([{"role": "user", "content": first_turn}])
    problems: list[str] = []
    for attempt in range(1, tries + 1):
        try:
            message, result = agents.ask(agent, prompt, conversation, answer)
            problems = verify(result)
        except MalformedAnswer as error:
            message, problems = error.message, [error.text]
        if not problems:
            return result
        agents.echo(f"{agent}: try {attempt} of {tries} rejected: {problems[0]}"
                    + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
        conversation.messages.extend([message, correction(message, "Rejected. Fix every problem and answer again:\n"
                                                          + "\n".join(f"- {p}" for p in problems))])
    raise RejectedAnswer(agent, tries, problems)
