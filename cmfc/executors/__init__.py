"""Generation executors: run compiled ComfyUI payloads on servers (see ``base`` for the interface)."""
