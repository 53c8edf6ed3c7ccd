"""Dispatch overhead of the ComfyUI executor: 100 generation actions on two stand-ins that answer at once.

The stand-ins (tests/executors/comfyui_standin.py) run in their own processes, so this process's CPU
time is our own work per action: building the job, POST /prompt, the websocket, /history, /view,
writing and decoding the PNG (verify). Printed for 1, 2 and 4 prompts in flight per server.

    .venv/bin/python bench/bench_dispatch.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ACTIONS = 100


def payload(seed: int) -> dict:
    """A hero payload from the shipped template at 64x64 (the stand-ins answer it at once)."""
    from cmfc.backends.comfyui.workflow import STAGE_TEMPLATES, bypass, inject, load_template
    from cmfc.backends.comfyui.emit import _object_info

    workflow = bypass(load_template(STAGE_TEMPLATES["hero"]), "cmfc.lora", _object_info())
    values = {"cmfc.prompt": "a bench", "cmfc.negative": "none", "cmfc.seed": seed, "cmfc.width": 64,
              "cmfc.height": 64, "cmfc.output": f"BENCH_{seed:03d}"}
    return inject(workflow, values, STAGE_TEMPLATES["hero"])


def start_standin(models: list[str]) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "tests.executors.comfyui_standin", "1", *models], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return process, process.stdout.readline().strip()


def main() -> None:
    from cmfc.backends.comfyui.emit import _object_info
    from cmfc.backends.comfyui.validate import file_inputs
    from cmfc.executors.base import ExecutorPool, GenerationJob
    from cmfc.executors.comfyui import ComfyUIExecutor, Timeouts
    from cmfc.executors.verify import verify

    payloads = [payload(seed) for seed in range(ACTIONS)]
    models = sorted({f.value for f in file_inputs(payloads[0], _object_info()) if f.kind == "model"})
    servers = [start_standin(models) for _ in range(2)]
    print(f"{ACTIONS} hero actions (64x64) on 2 stand-in servers in their own processes")
    print(f"{'in flight/server':>16} {'wall s':>8} {'actions/s':>10} {'our CPU ms/action':>18}")
    try:
        for in_flight in (1, 2, 4):
            with tempfile.TemporaryDirectory() as scratch:
                timeouts = Timeouts(poll=0.05)
                pool = ExecutorPool([ComfyUIExecutor(url, timeouts=timeouts, scratch=Path(scratch))
                                     for _, url in servers], max_in_flight=in_flight)
                pool.identity()  # what a build asks once, before planning
                cancel = threading.Event()

                def one(index: int) -> None:
                    job = GenerationJob(scene="SC_01", stage="hero", take=f"v{index:02d}", payload=payloads[index])
                    result = pool.run(job, lambda *a: None, cancel)
                    verify(result.files[0].path, "image")

                cpu, wall = time.process_time(), time.perf_counter()
                with ThreadPoolExecutor(2 * in_flight) as threads:
                    list(threads.map(one, range(ACTIONS)))
                wall = time.perf_counter() - wall
                cpu = time.process_time() - cpu
                print(f"{in_flight:>16} {wall:8.2f} {ACTIONS / wall:10.1f} {cpu / ACTIONS * 1000:18.1f}")
    finally:
        for process, _ in servers:
            process.stdin.close()
            process.wait(10)


if __name__ == "__main__":
    main()
