"""Stage 1's local work on a 30-minute transcript: read it, chunk it, check true and paraphrased blocks.

The agents' calls are not measured here (they are the API's time); this is what cmfc adds around them.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from cmfc.narrative.hunter import chunks  # noqa: E402
from cmfc.narrative.transcript import read_transcript  # noqa: E402
from cmfc.narrative.verbatim import check_block  # noqa: E402

WORDS = ("money time fear night company family week years silence list morning client coach plan "
         "started lost built kept wrote learned quit failed tried said the a and I it was").split()


def main() -> None:
    rng = random.Random(1)
    segments, t = [], 0.0
    while t < 30 * 60:
        tokens = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
        tokens[-1] += "."
        words = []
        for token in tokens:
            words.append({"word": token, "start": round(t, 3), "end": round(t + 0.3, 3), "score": 0.9})
            t += 0.4
        segments.append({"words": words, "text": " ".join(tokens), "start": words[0]["start"], "end": words[-1]["end"]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.json"
        path.write_text(json.dumps({"segments": segments}))
        start = time.perf_counter()
        transcript = read_transcript(path)
        read_s = time.perf_counter() - start
    start = time.perf_counter()
    parts = chunks(transcript, 2500, 150)
    chunk_s = time.perf_counter() - start
    tokens = transcript.tokens()
    spans = [(a, a + rng.randint(8, 30)) for a in (rng.randrange(0, len(tokens) - 40) for _ in range(100))]
    start = time.perf_counter()
    for a, b in spans:
        assert check_block(transcript, transcript.text(a, b), tokens=tokens).ok
    true_s = time.perf_counter() - start
    start = time.perf_counter()
    for a, b in spans[:20]:
        words = transcript.text(a, b).split()
        words[len(words) // 2] = "absolutely"
        assert not check_block(transcript, " ".join(words), tokens=tokens).ok
    false_s = time.perf_counter() - start
    print(f"30-minute transcript: {len(transcript.words)} words")
    print(f"read + interpolate: {read_s * 1000:.0f} ms; chunked into {len(parts)} in {chunk_s * 1000:.1f} ms")
    print(f"verbatim check, true block: {true_s / 100 * 1000:.2f} ms each (100)")
    print(f"verbatim check, paraphrased block with nearest passage and diff: {false_s / 20 * 1000:.0f} ms each (20)")


if __name__ == "__main__":
    main()
