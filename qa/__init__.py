"""Turning a question into an answer: retrieval, sentence selection, citations,
abstention, and follow-up questions in a chat."""

from qa.answerer import AnswerConfig, Answerer
from qa.chat import Chat, ChatMessage, ChatReply
from qa.dates import TimeWindow, resolve_time_window
from qa.retrieval import DenseRetriever, Filters, HybridRetriever, LexicalRetriever
from qa.types import Answer, AnswerSpan, Citation, PassageResult, Quote, ReportedCopy

__all__ = [
    "Answer",
    "AnswerConfig",
    "AnswerSpan",
    "Answerer",
    "Chat",
    "ChatMessage",
    "ChatReply",
    "Citation",
    "DenseRetriever",
    "Filters",
    "HybridRetriever",
    "LexicalRetriever",
    "PassageResult",
    "Quote",
    "ReportedCopy",
    "TimeWindow",
    "resolve_time_window",
]
