"""Render docs/performance.md and docs/img/*.png from the saved results.

The prose is bench/performance_template.md; this module only turns results into figures
and tables (one group of figures per page section, see ``GROUPS``) and fills the template
with bench/fill.py. Results are read from var/bench/results/ (what this machine measured
last) and otherwise from docs/results/ (the results the committed page was rendered from:
``python -m bench report`` copies every result it uses there). A result that was recovered
from an earlier rendering of the page says so in its ``recovered`` field, and the page
labels the figures made from it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import report_plots as plots
from bench.common import DOCS, RESULTS, ROOT, load_once
from bench.fill import Group, fill
from bench.report_groups import (
    composed_1m,
    g_bm25,
    g_build,
    g_encoder,
    g_faiss,
    g_http,
    g_latency,
    g_memory,
    g_overhead,
    g_peer,
    g_peer100k,
    g_targets,
    g_threads,
    http_by,
    machine_line,
)

TEMPLATE = ROOT / "bench" / "performance_template.md"
KEPT = DOCS / "results"
# Results the page is made of, by file name, and the command that measures each.
SOURCES = {
    "perf": "python -m bench perf",
    "http": "python -m bench http",
    "build": "python -m bench build",
    "faiss": "python -m bench faiss",
    "threads": "python -m bench threads",
    "peer": "python -m bench peer",
    "peer-100000": "python -m bench peer100k",
    "encoder": "python -m bench encoder",
}
Results = dict[str, dict[str, Any]]


def load_results(names=SOURCES, dirs: tuple[Path, ...] = (RESULTS, KEPT)) -> Results:
    """Each result from the first folder that has it."""
    out = {}
    for name in names:
        for folder in dirs:
            path = folder / f"{name}.json"
            if path.is_file():
                out[name] = {**json.loads(path.read_text()), "_path": str(path)}
                break
    return out


# name: (results it needs, results it also reads when present, figures)
GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...], Callable[[Results], dict]]] = {
    "latency": (("perf",), ("http", "faiss"), g_latency),
    "http": (("http",), (), g_http),
    "build": (("build",), (), g_build),
    "memory": (("perf",), ("faiss",), g_memory),
    "faiss": (("faiss",), (), g_faiss),
    "bm25": (("perf",), (), g_bm25),
    "threads": (("threads",), (), g_threads),
    "peer": (("peer",), ("build",), g_peer),
    "peer100k": (("peer-100000",), ("perf",), g_peer100k),
    "targets": ((), ("perf", "http", "build", "faiss", "peer", "peer-100000"), g_targets),
    "overhead": (("perf", "http"), (), g_overhead),
    "encoder": (("encoder",), (), g_encoder),
}


def _recovered_note(used: dict[str, dict]) -> str:
    old = {n: u for n, u in used.items() if u.get("recovered")}
    if not old:
        return ""
    dates = sorted({(u.get("machine") or {}).get("at", "?")[:10] for u in old.values()})
    files = ", ".join(f"docs/results/{n}.json" for n in old)
    return f"Earlier run ({', '.join(dates)}); results recovered from the page then: {files}."


def groups(results: Results) -> dict[str, Group]:
    """Every group's figures, or None for those whose results are missing."""
    out = {}
    for name, (needs, reads, make) in GROUPS.items():
        command = "python -m bench " + " ".join(SOURCES[n].split()[-1] for n in (needs or reads))
        have = [n for n in needs + reads if n in results]
        if any(n not in results for n in needs) or not have:
            out[name] = Group(command)
            continue
        used = {n: results[n] for n in have}
        out[name] = Group(command, make(results), _recovered_note(used), have)
    out["run"] = Group("python -m bench", run_figures(results))
    old = {n: res for n, res in results.items() if res.get("recovered")}
    out["recovered"] = Group("", None, optional=True)
    if old:
        out["recovered"].values = {
            "names": ", ".join(sorted(old)),
            "dates": ", ".join(
                sorted({(r.get("machine") or {}).get("at", "?")[:10] for r in old.values()})
            ),  # noqa: E501
            "where": "; ".join(sorted({r["recovered"].split(":")[0] for r in old.values()})),
        }
    out["once"] = Group("(measured once)", load_once(KEPT))
    return out


def run_figures(results: Results) -> dict[str, Any]:
    """Machines, versions and commands of the results the page is made of."""
    machines: dict[str, list[str]] = {}
    for name, res in results.items():
        m = res.get("machine") or {}
        key = (
            f"{m.get('cpu', '?')}, `nproc` = {m.get('nproc', '?')}, memory "
            f"{m.get('mem_gib', '?')} GiB, Linux {m.get('kernel', '?')}"
        )
        machines.setdefault(key, []).append(name)
    versions: dict[str, list[str]] = {}
    for name, res in results.items():
        v = res.get("versions") or {}
        versions.setdefault(", ".join(f"{k} {val}" for k, val in v.items()), []).append(name)
    loads = {n: res["machine"]["loadavg"][0] for n, res in results.items() if res.get("machine")}
    # threads and faiss load both cores themselves (all-core builds, competing processes).
    busy = sorted(n for n, x in loads.items() if x > 1.6 and n not in ("threads", "faiss"))
    quiet = sorted(n for n in loads if n not in busy)
    by_command: dict[str, list[str]] = {}
    for name, res in results.items():
        by_command.setdefault(res["command"], []).append(f"{name} ({machine_line(res)})")
    perf = results.get("perf") or {}
    for x in perf.get("rows", []) + perf.get("large", []):
        if x.get("command") and x["command"] != perf["command"]:
            by_command.setdefault(x["command"], []).append(f"perf at {x['passages']:,} passages")
    missing = [SOURCES[n] for n in SOURCES if n not in results]
    return {
        "machines": "\n".join(f"- Machine: {k} ({', '.join(v)})." for k, v in machines.items())
        or "- Machine: no results yet.",
        "versions": "\n".join(f"- Versions ({', '.join(n)}): {k}." for k, n in versions.items()),
        "load": (f" Runs with no other work on the machine: {', '.join(quiet)}." if quiet else "")
        + (
            f" Runs on a machine shared with other work (load > 1.6): {', '.join(busy)}; "
            "their absolute times are pessimistic, ratios within one run hold better."
            if busy
            else ""
        ),
        "commands": "\n".join(
            f"{c}\n    # -> results used here: {'; '.join(n)}" for c, n in by_command.items()
        ),
        "missing": (
            "Not measured on this machine yet: " + ", ".join(f"`{m}`" for m in missing) + "."
            if missing
            else ""
        ),
    }


def render_text(results: Results, template: str | None = None) -> str:
    return fill(template or TEMPLATE.read_text(encoding="utf-8"), groups(results))


def keep(results: Results) -> None:
    """Copy the results this machine measured next to the page, so it can be re-rendered."""
    KEPT.mkdir(parents=True, exist_ok=True)
    for res in results.values():
        src = Path(res["_path"])
        if src.parent == RESULTS:
            shutil.copyfile(src, KEPT / src.name)


def draw(results: Results) -> None:
    """docs/img/*.png from the same results."""
    perf = results.get("perf")
    if perf:
        comp = composed_1m(perf, results.get("faiss"), adopted=True)
        plots.latency(perf["rows"], http_by(results.get("http")), comp)
        plots.bm25(perf["rows"], perf.get("large", []))
    if results.get("faiss"):
        plots.faiss(results["faiss"])
    if results.get("threads"):
        plots.threads(results["threads"])


def render() -> Path:
    results = load_results()
    text = render_text(results)
    draw(results)
    keep(results)
    out = DOCS / "performance.md"
    out.write_text(text, encoding="utf-8")
    return out
