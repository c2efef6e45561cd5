"""Late interaction over the sample index: passage and sentence scores from the real
token states, and the answerer's features that carry them."""

from __future__ import annotations

from dataclasses import replace

from index.store import LoadedIndex
from index.token_states import token_encoder_of
from qa.answerer import Answerer
from qa.late_interaction import late_scores, question_terms
from qa.question import parse_question
from qa.ranking import LATE_FEATURES, SENTENCE_COLUMN
from service.components import Components


def _passages_of(index: LoadedIndex, article_id: str) -> list[int]:
    return list(index.article_passage_rows(index.article_index(article_id)))


def test_the_english_question_meets_the_korean_passage_that_answers_it(
    components: Components, sample_index: LoadedIndex
) -> None:
    tokens = token_encoder_of(components.embedder)
    assert tokens is not None
    nvidia = _passages_of(sample_index, "kr-nvidia-gpu-2025")[0]
    others = [
        row
        for row in range(sample_index.passage_count)
        if sample_index.passage(row).article != sample_index.passage(nvidia).article
    ][:4]
    late = late_scores(
        tokens, sample_index, "How many GPUs will Nvidia supply to Korea?", [nvidia, *others]
    )
    assert late.passages[nvidia] > max(late.passages[row] for row in others)
    # Each sentence of a scored passage has its own score; the first one names the deal.
    rows = list(sample_index.sentence_rows(nvidia))
    assert set(rows) <= set(late.sentences)
    assert late.sentences[rows[0]] == max(late.sentences[row] for row in rows)
    # A sentence or passage that was not scored gets the lowest score of those that were.
    assert late.passage(-1) == min(late.passages.values())
    assert late.sentence(-1) == min(late.sentences.values())


def test_the_fitted_model_reads_late_interaction(answerer: Answerer) -> None:
    model = answerer.config.model
    assert model.late_passages > 0 and answerer.tokens is not None
    ev = answerer.evidence("How many GPUs will Nvidia supply to Korea?")
    x = ev.sentence_features
    read = {h.row for h in ev.hits[: model.late_passages]}
    scored = [i for i, c in enumerate(ev.candidates) if c.passage_row in read]
    # Every passage read has its score (a mean of best cosines: unrelated passages meet
    # the question's words near 0.5, unread ones get 0), the GPU article's the highest.
    late = {ev.candidates[i].passage_row: x[i, SENTENCE_COLUMN["passage_late"]] for i in scored}
    assert scored and min(late.values()) > 0.4
    best = max(late, key=late.__getitem__)
    index = answerer.index
    assert index.passage_article(best) == index.sentence_article(ev.candidates[0].row)
    assert late[best] > 0.7
    # Across scripts the crossed copy carries the same value.
    assert all(
        x[i, SENTENCE_COLUMN["cross_late"]] == x[i, SENTENCE_COLUMN["late"]]
        for i in scored
        if x[i, SENTENCE_COLUMN["cross_script"]]
    )


def test_only_the_questions_terms_are_weighed(components: Components) -> None:
    tokens = token_encoder_of(components.embedder)
    assert tokens is not None
    text = "이번 선거에서 누가 당선됐어?"
    parsed = parse_question(text, components.analyzer)
    assert [text[a:b] for a, b in parsed.term_spans] == ["이번", "선거", "당선"]
    (q,) = tokens.encode([text], is_query=True)
    kept = question_terms(q, parsed.term_spans)
    # The tokens of 이번, 선거 and 당선 (e5 writes 당선 in two pieces); 에서, 누가, 됐어 go.
    assert "".join(text[a:b] for a, b in kept.spans) == "이번선거당선"
    # A question of nothing but question words keeps all its tokens.
    (bare,) = tokens.encode(["how many?"], is_query=True)
    assert question_terms(bare, parse_question("how many?", components.analyzer).term_spans) is bare


def test_without_late_interaction_no_token_states_are_read(
    components: Components, sample_index: LoadedIndex
) -> None:
    fast = replace(
        components, settings=components.settings.model_copy(update={"late_interaction": False})
    )
    answerer = fast.answerer(sample_index)
    model = answerer.config.model
    # The model fitted without it, not the full one with its features left at 0.
    assert model.late_passages == 0 and answerer.tokens is None
    assert model.threshold != components.answer_config().model.threshold
    late_weights = [model.sentence.weights[SENTENCE_COLUMN[f]] for f in LATE_FEATURES]
    assert late_weights == [0.0] * len(LATE_FEATURES)
    ev = answerer.evidence("How many GPUs will Nvidia supply to Korea?")
    assert not ev.sentence_features[:, [SENTENCE_COLUMN[f] for f in LATE_FEATURES]].any()
    assert "late_ms" not in ev.timings
    ans = answerer.ask("이번 선거에서 누가 당선됐어?")
    assert ans.answered and "윤정호" in ans.quotes[0].text
    assert "late_ms" not in ans.timings
