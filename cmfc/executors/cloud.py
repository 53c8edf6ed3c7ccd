"""The cloud and compositing executors a project configures in cmfc.toml, and a router by stage.

``cmfc.toml`` (beside the ComfyUI settings of ``[executors]``, which this module does not read)::

    [executors]
    natron = "/opt/natron/NatronRenderer"   # optional; else NatronRenderer on PATH; else the ffmpeg compositor

    [executors.runninghub]                  # key: RUNNINGHUB_API_KEY (environment or .env)
    url = "https://www.runninghub.ai"       # or https://www.runninghub.cn
    stages = ["motion"]                     # which stages run here (default: those with a workflow id)
    instance_type = "plus"                  # optional (48 GB machines)
    [executors.runninghub.workflows]        # the saved workflow whose machine runs each stage
    hero = "1904136902449209346"
    motion = "1904136902449209347"

    [executors.runpod]                      # key: RUNPOD_API_KEY (environment or .env)
    endpoint = "abc123xyz"                  # a worker-comfyui endpoint (generation)
    stages = ["hero", "relight"]
    natron_endpoint = "def456uvw"           # a workers/natron endpoint (compositing)
    [executors.runpod.s3]                   # optional: inputs over Runpod's 10 MB go here (presigned URLs)
    bucket = "my-bucket"                    # credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
    region = "eu-west-1"
    endpoint = ""                           # an S3-compatible endpoint URL, optional

No key or secret is ever read from cmfc.toml: only from the environment or the project's ``.env``.
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostic, Span

from .base import CancelledError, Finding, GenerationJob, GenerationResult, PermanentError, ProgressCallback
from .keys import api_key

STAGES = ("hero", "relight", "motion")
SECRET_NAMES = ("key", "api_key", "apikey", "token", "secret", "password", "access_key", "secret_key")


@dataclass(frozen=True)
class CloudConfig:
    natron: str | None = None
    runninghub: dict = field(default_factory=dict)
    runpod: dict = field(default_factory=dict)


def load_cloud_config(root: Path) -> CloudConfig:
    """The cloud parts of ``[executors]``; a CmfError naming cmfc.toml for anything malformed."""
    path = Path(root) / "cmfc.toml"
    if not path.is_file():
        return CloudConfig()
    span = Span("cmfc.toml")
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get("executors", {}) or {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CmfError([Diagnostic(span, f"cmfc.toml is not valid TOML: {error}")]) from None
    problems: list[str] = []
    natron = section.get("natron")
    if natron is not None and not isinstance(natron, str):
        problems.append('[executors] natron: expected the path of NatronRenderer, like "/opt/natron/NatronRenderer"')
    tables = {}
    for name in ("runninghub", "runpod"):
        table = section.get(name) or {}
        if not isinstance(table, dict):
            problems.append(f"[executors] {name}: expected a table [executors.{name}]")
            table = {}
        for key in _walk_keys(table):
            if key.lower() in SECRET_NAMES:
                problems.append(f"[executors.{name}] {key}: keys do not belong in cmfc.toml; set "
                                f"{'RUNNINGHUB_API_KEY' if name == 'runninghub' else 'RUNPOD_API_KEY'} in the "
                                f"environment or the project's .env file")
        stages = table.get("stages")
        if stages is not None and (not isinstance(stages, list) or any(s not in STAGES for s in stages)):
            problems.append(f"[executors.{name}] stages: expected a list of {', '.join(STAGES)}")
        tables[name] = table
    workflows = tables["runninghub"].get("workflows", {})
    if not isinstance(workflows, dict) or any(k not in STAGES for k in workflows):
        problems.append("[executors.runninghub.workflows]: expected stage = \"workflow id\" lines "
                        f"(stages: {', '.join(STAGES)})")
    if problems:
        raise CmfError([Diagnostic(span, message) for message in problems])
    return CloudConfig(natron=natron, runninghub=tables["runninghub"], runpod=tables["runpod"])


def _walk_keys(table: dict):
    for key, value in table.items():
        yield str(key)
        if isinstance(value, dict):
            yield from _walk_keys(value)


def runninghub_executor(root: Path, config: CloudConfig, scratch: Path | None = None):
    """The Running Hub executor, or None when ``[executors.runninghub]`` is absent."""
    table = config.runninghub
    if not table:
        return None
    from .runninghub import DEFAULT_URL, KEY_ENV, RunningHubExecutor

    workflows = {stage: str(wid) for stage, wid in (table.get("workflows") or {}).items()}
    return RunningHubExecutor(api_key(KEY_ENV, root), workflows, url=str(table.get("url") or DEFAULT_URL),
                              instance_type=table.get("instance_type"), scratch=scratch)


def runpod_executor(root: Path, config: CloudConfig, endpoint_key: str = "endpoint", scratch: Path | None = None):
    """The Runpod executor for ``endpoint`` (generation) or ``natron_endpoint``, or None."""
    table = config.runpod
    endpoint = table.get(endpoint_key)
    if not endpoint:
        return None
    from .runpod import DEFAULT_BASE, KEY_ENV, RunpodExecutor, S3Credentials
    from .s3 import S3Location

    s3 = None
    bucket = (table.get("s3") or {}).get("bucket")
    if bucket:
        access, secret = api_key("AWS_ACCESS_KEY_ID", root), api_key("AWS_SECRET_ACCESS_KEY", root)
        if access and secret:
            s3_table = table["s3"]
            s3 = S3Credentials(S3Location(str(bucket), str(s3_table.get("region") or "us-east-1"),
                                          str(s3_table.get("endpoint") or "")), access, secret)
    return RunpodExecutor(api_key(KEY_ENV, root), str(endpoint), base_url=str(table.get("base_url") or DEFAULT_BASE),
                          s3=s3, scratch=scratch)


def compositor(root: Path, config: CloudConfig):
    """Who renders the Natron composites: a local NatronRenderer, a Runpod Natron endpoint, or None
    (the build's own ffmpeg compositor)."""
    from .natron import NatronExecutor, RunpodNatronExecutor, find_renderer

    renderer = find_renderer(config.natron)
    if renderer:
        return NatronExecutor(renderer)
    remote = runpod_executor(root, config, "natron_endpoint")
    return RunpodNatronExecutor(remote) if remote is not None else None


def stage_routes(root: Path, config: CloudConfig, scratch: Path | None = None) -> dict:
    """stage -> the cloud executor configured for it (``stages``, else Running Hub's workflow ids)."""
    routes: dict = {}
    hub = runninghub_executor(root, config, scratch)
    if hub is not None:
        for stage in config.runninghub.get("stages") or sorted(hub.workflows):
            routes[stage] = hub
    pod = runpod_executor(root, config, "endpoint", scratch)
    if pod is not None:
        for stage in config.runpod.get("stages") or [s for s in STAGES if s not in routes]:
            routes.setdefault(stage, pod)
    return routes


class StageRouter:
    """One Executor over several: each job goes to the executor (or pool) configured for its stage.

    This is how a build mixes backends, e.g. hero and relight on the ComfyUI pool and motion on
    Running Hub. ``identity()`` names every route, so moving a stage to another backend changes
    the action keys of that stage's outputs.
    """

    kind = "router"

    def __init__(self, routes: dict, default=None) -> None:
        self.routes = dict(routes)
        self.default = default

    def _for(self, job: GenerationJob):
        executor = self.routes.get(job.stage, self.default)
        if executor is None:
            raise PermanentError(f"{job.describe()}: no executor is configured for the {job.stage} stage",
                                 ("add it to stages under [executors.runninghub] or [executors.runpod], "
                                  "or configure ComfyUI servers in cmfc.toml",))
        return executor

    def identity_for(self, stage: str) -> dict:
        executor = self.routes.get(stage, self.default)
        return executor.identity() if executor is not None else {"kind": "none"}

    def identity(self) -> dict:
        stages = sorted(set(self.routes) | ({"*"} if self.default is not None else set()))
        return {"kind": self.kind, "routes": {s: (self.routes.get(s) or self.default).identity() for s in stages}}

    def doctor(self, jobs: list[GenerationJob]) -> list[Finding]:
        findings: list[Finding] = []
        seen: list = []
        for executor in list(self.routes.values()) + ([self.default] if self.default is not None else []):
            if any(executor is s for s in seen):
                continue
            seen.append(executor)
            mine = [j for j in jobs if self.routes.get(j.stage, self.default) is executor]
            findings.extend(executor.doctor(mine))
        return findings

    def run(self, job: GenerationJob, on_progress: ProgressCallback, cancel: threading.Event) -> GenerationResult:
        if cancel.is_set():
            raise CancelledError(f"{job.describe()}: cancelled before it started")
        return self._for(job).run(job, on_progress, cancel)


def cloud_findings(root: Path, jobs: list[GenerationJob], config: CloudConfig | None = None) -> list[Finding]:
    """``cmfc doctor``'s lines for the cloud executors and the compositor (for the doctor command to append)."""
    config = config if config is not None else load_cloud_config(root)
    findings: list[Finding] = []
    routes = stage_routes(root, config)
    if routes:
        findings.extend(StageRouter(routes).doctor([j for j in jobs if j.stage in routes]))
    composite = compositor(root, config)
    if composite is None:
        findings.append(Finding("compositor", True, "natron",
                                "no NatronRenderer on PATH or at [executors] natron, no Runpod natron_endpoint: "
                                "scenes are composited by the local ffmpeg compositor"))
    elif hasattr(composite, "doctor"):
        findings.extend(composite.doctor())
    else:
        findings.extend(composite.runpod.doctor([]))
    return findings
