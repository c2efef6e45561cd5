"""The heavy components (embedder, Kiwi, cache) and the operations built on them.

The CLI and the app both construct one :class:`Components` and pass it around; nothing
heavy lives in a module global.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.builder import BuildOptions, BuildReport, EmbedMissing, ProgressFn, build_index
from index.cache import EmbeddingCache
from index.embedders import Embedder, create_embedder
from index.fetching import Fetcher, FetchOptions
from index.lexical import MorphemeAnalyzer
from index.models import Article
from index.readers import Problem, read_sources
from index.sentences import SentenceSplitter, load_kiwi
from index.store import LoadedIndex, load_index, load_version
from index.token_states import token_encoder_of
from qa.answerer import AnswerConfig, Answerer
from qa.ranking import default_model
from service.settings import Settings


@dataclass
class Components:
    settings: Settings
    embedder: Embedder
    splitter: SentenceSplitter
    analyzer: MorphemeAnalyzer
    cache: EmbeddingCache

    @classmethod
    def load(cls, settings: Settings) -> Components:
        if settings.num_threads:
            import faiss

            faiss.omp_set_num_threads(settings.num_threads)
        kiwi = load_kiwi()
        embedder = create_embedder(
            settings.embedder_backend,
            settings.embedder_model,
            query_prompt=settings.query_prompt,
            passage_prompt=settings.passage_prompt,
            num_threads=settings.num_threads,
            cache_dir=settings.cache_dir,
            device=settings.embedder_device,
        )
        return cls(
            settings=settings,
            embedder=embedder,
            splitter=SentenceSplitter(kiwi),
            analyzer=MorphemeAnalyzer(kiwi),
            cache=EmbeddingCache(settings.embedding_cache_path),
        )

    def answer_config(self) -> AnswerConfig:
        return AnswerConfig(
            model=default_model(
                self.embedder.backend, late_interaction=self.settings.late_interaction
            ),
            min_confidence=self.settings.min_confidence,
            as_of=self.settings.as_of,
        )

    def open_index(self, index_dir: Path, *, verify: bool = True) -> LoadedIndex:
        return load_index(
            index_dir,
            backend=self.embedder.backend,
            model=self.embedder.model,
            verify=verify,
        )

    def open_version(self, folder: Path, *, verify: bool = True) -> LoadedIndex:
        return load_version(
            folder, backend=self.embedder.backend, model=self.embedder.model, verify=verify
        )

    def warm_up(self) -> None:
        """Finish the lazy initialisation of Kiwi and the encoder before requests arrive
        (Kiwi completes loading on its first analysis; threads must not race on it)."""
        self.analyzer.tokens("준비 완료.")
        self.splitter.split("준비 완료. 시작합니다.")
        self.embedder.embed_queries(["warm up"])
        if self.answer_config().model.late_passages:
            # Converts (once per cache) and loads the token-state model.
            tokens = token_encoder_of(self.embedder)
            if tokens is not None:
                tokens.encode(["warm up"], is_query=True)

    def distributed_embed(self, options: BuildOptions | None = None) -> EmbedMissing | None:
        """The Ray embedding hook when ``ray_address`` is set, connected to the cluster
        (a cluster that cannot be reached fails here, before a build reads anything)."""
        target = self.settings.ray_address
        if not target:
            return None
        from index.ray_embed import EmbedderSpec, RayEmbedder, connect

        connect(target)
        threads = self.settings.num_threads or 1
        spec = EmbedderSpec(
            backend=self.settings.embedder_backend,
            model=self.settings.embedder_model,
            query_prompt=self.settings.query_prompt,
            passage_prompt=self.settings.passage_prompt,
            num_threads=threads,
            cache_dir=str(self.settings.cache_dir),
            device=self.settings.embedder_device,
        )
        chunk = (options or BuildOptions()).batch_size
        return RayEmbedder(spec, dim=self.embedder.dim, chunk_size=chunk, threads=threads)

    def answerer(self, index: LoadedIndex) -> Answerer:
        return Answerer(index, self.embedder, self.analyzer, self.answer_config())

    def probe(self, index: LoadedIndex) -> Answerer:
        """The one probe: a loaded version must answer a query (its first sentence)
        before it is published or served. Returns the answerer that answered."""
        answerer = self.answerer(index)
        if len(index):
            answerer.ask(index.sentence_text(0))
        return answerer

    def build(
        self,
        articles: Sequence[Article],
        index_dir: Path,
        *,
        problems: Sequence[Problem] = (),
        records: int | None = None,
        progress: ProgressFn | None = None,
        options: BuildOptions | None = None,
        splitter: SentenceSplitter | None = None,
        embed_missing: EmbedMissing | None = None,
    ) -> tuple[BuildReport, LoadedIndex]:
        """Build and publish a version; return the report and the version loaded, as the
        probe loaded and verified it."""
        report, index, _ = self.build_verified(
            articles,
            index_dir,
            problems=problems,
            records=records,
            progress=progress,
            options=options,
            splitter=splitter,
            embed_missing=embed_missing,
        )
        return report, index

    def build_verified(
        self,
        articles: Sequence[Article],
        index_dir: Path,
        *,
        problems: Sequence[Problem] = (),
        records: int | None = None,
        progress: ProgressFn | None = None,
        options: BuildOptions | None = None,
        splitter: SentenceSplitter | None = None,
        embed_missing: EmbedMissing | None = None,
    ) -> tuple[BuildReport, LoadedIndex, Answerer]:
        """:meth:`build`, plus the answerer that answered the probe (a server swaps both
        in without reading and checksumming the files again)."""
        verified: list[tuple[LoadedIndex, Answerer]] = []

        def probe(folder: Path) -> None:
            # A finished version must load, pass its checksums and answer before it is
            # published.
            index = self.open_version(folder)
            verified.append((index, self.probe(index)))

        report = build_index(
            articles,
            index_dir,
            embedder=self.embedder,
            cache=self.cache,
            splitter=splitter or self.splitter,
            options=options,
            problems=problems,
            records=records,
            progress=progress,
            verify=probe,
            embed_missing=embed_missing,
        )
        index, answerer = verified[-1]
        return report, index, answerer

    def fetcher(self) -> Fetcher:
        """Fetching of URL sources, with the conditional-request cache beside the
        embedding cache."""
        s = self.settings
        options = FetchOptions(
            timeout=s.fetch_timeout_seconds, max_bytes=s.fetch_max_bytes, per_host=s.fetch_per_host
        )
        return Fetcher(options, s.fetch_cache_path)

    def build_from_sources(
        self,
        sources: Sequence[str | Path],
        index_dir: Path,
        *,
        extra: Sequence[Article] = (),
        progress: ProgressFn | None = None,
        options: BuildOptions | None = None,
        distributed: bool = False,
    ) -> BuildReport:
        """``distributed``: embed on Ray when ``ray_address`` is set (connecting first)."""
        embed_missing = self.distributed_embed(options) if distributed else None
        result = read_sources(sources, fetcher=self.fetcher())
        articles = {a.id: a for a in result.articles}
        articles.update({a.id: a for a in extra})
        report, _ = self.build(
            list(articles.values()),
            index_dir,
            problems=result.problems,
            records=result.records,
            progress=progress,
            options=options,
            embed_missing=embed_missing,
        )
        report.fetched = result.fetched
        return report
