"""Turning a question into an answer: retrieval, sentence selection, citations,
abstention, and follow-up questions in a chat."""

from qa.answerer import AnswerConfig, Answerer
from qa.chat import Chat, ChatMessage, ChatReply
from qa.retrieval import DenseRetriever, Filters, HybridRetriever, LexicalRetriever
from qa.types import Answer, AnswerSpan, Citation, PassageResult, Quote

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
]
