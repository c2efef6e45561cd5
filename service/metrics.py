"""Prometheus metrics of one app (its own registry, no process-wide globals).

* ``article_qa_http_requests_total{method,route,status}`` and
  ``article_qa_http_request_duration_seconds{method,route}`` (route = path template)
* ``article_qa_answers_total{outcome="answered"|"abstained"}``
* ``article_qa_index_builds_total{kind,outcome}`` and
  ``article_qa_index_build_duration_seconds{kind}``
* ``article_qa_index_ready``, ``article_qa_index_articles``, ``article_qa_index_passages``,
  ``article_qa_index_sentences`` and ``article_qa_index_info{version,model}``, read from
  the served index at scrape time
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from service.serving import ServedIndex

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_BUILD_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


class IndexCollector(Collector):
    def __init__(self, served: Callable[[], ServedIndex | None]) -> None:
        self._served = served

    def collect(self) -> Iterator:
        served = self._served()
        ready = GaugeMetricFamily("article_qa_index_ready", "1 when an index is being served")
        ready.add_metric([], 1.0 if served else 0.0)
        yield ready
        if served is None:
            return
        counts = served.counts()
        for name in ("articles", "passages", "sentences"):
            family = GaugeMetricFamily(
                f"article_qa_index_{name}", f"{name.capitalize()} in the served index"
            )
            family.add_metric([], float(counts[name]))
            yield family
        info = InfoMetricFamily("article_qa_index", "The served index version and model")
        model = str(served.index.manifest.get("embedder", {}).get("model", ""))
        info.add_metric([], {"version": served.version, "model": model})
        yield info


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "article_qa_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "article_qa_http_request_duration_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "article_qa_answers",
            "Questions answered or abstained",
            ["outcome"],
            registry=self.registry,
        )
        self.builds = Counter(
            "article_qa_index_builds",
            "Index builds by kind and outcome",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.build_seconds = Histogram(
            "article_qa_index_build_duration_seconds",
            "Duration of index builds (rebuilds and article writes)",
            ["kind"],
            buckets=_BUILD_BUCKETS,
            registry=self.registry,
        )
        for outcome in ("answered", "abstained"):
            self.answers.labels(outcome)
        self._index_collector: IndexCollector | None = None

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def observe_answer(self, answered: bool) -> None:
        self.answers.labels("answered" if answered else "abstained").inc()

    def observe_build(self, kind: str, outcome: str, seconds: float) -> None:
        self.builds.labels(kind, outcome).inc()
        self.build_seconds.labels(kind).observe(seconds)

    def watch_index(self, served: Callable[[], ServedIndex | None]) -> None:
        self.unwatch_index()
        self._index_collector = IndexCollector(served)
        self.registry.register(self._index_collector)

    def unwatch_index(self) -> None:
        if self._index_collector is not None:
            self.registry.unregister(self._index_collector)
            self._index_collector = None

    def render(self) -> bytes:
        return generate_latest(self.registry)
