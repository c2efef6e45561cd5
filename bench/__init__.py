"""Speed benchmarks for article-qa (issue 5): ``python -m bench`` regenerates
docs/performance.md and the plots under docs/img/.

Results of each section are kept as JSON under ``var/bench/results`` so the report can
be re-rendered (``python -m bench report``) without re-measuring.
"""
