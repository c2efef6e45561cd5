"""Multi-turn chat over the sample index: follow-ups resolved from the conversation,
stand-alone turns left alone, verbatim quotes throughout."""

from __future__ import annotations

from typing import Any

import pytest

from index.errors import InputError
from index.store import LoadedIndex
from qa.chat import Chat, ChatMessage, ChatReply
from qa.chat_eval import evaluate_conversations
from qa.followup import answer_entity, read_cues, substitute
from service.components import Components
from tests.helpers import QUESTIONS_DIR, assert_quotes_valid, note, quote_hit, read_jsonl

CONVERSATIONS = QUESTIONS_DIR / "conversations.jsonl"
# Asked alone, without their conversation, the follow-ups already hit@3 85% of the time
# on this small sample, so the floor sits above 0.7 and the chat must not do worse.
FOLLOW_UP_HIT3_FLOOR = 0.8
OVERALL_HIT3_FLOOR = 0.8


@pytest.fixture(scope="module")
def chat(components: Components, sample_index: LoadedIndex) -> Chat:
    return Chat(components.answerer(sample_index))


@pytest.fixture(scope="module")
def conversations() -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in read_jsonl(CONVERSATIONS)}


def replay(chat: Chat, questions: list[str], *, with_replies: bool = True) -> list[ChatReply]:
    """Asks each question in turn, as a client would send the growing conversation."""
    messages: list[ChatMessage] = []
    replies = []
    for question in questions:
        messages.append(ChatMessage("user", question))
        reply = chat.reply(messages)
        replies.append(reply)
        if with_replies:
            messages.append(ChatMessage("assistant", reply.answer.answer))
    return replies


@pytest.mark.parametrize("with_replies", [True, False], ids=["with-replies", "questions-only"])
@pytest.mark.parametrize("conv_id", ["conv-ko-01", "conv-ko-02", "conv-en-13"])
def test_follow_ups_are_answered_from_the_conversation(
    chat: Chat,
    sample_index: LoadedIndex,
    conversations: dict[str, dict[str, Any]],
    conv_id: str,
    with_replies: bool,
) -> None:
    """삼성전자 → "작년보다 얼마나 늘었어?", 당선자 → "그 사람의 공약은?", merger →
    "When will it close?": each turn quotes a gold answer within its first 3 quotes."""
    turns = conversations[conv_id]["turns"]
    replies = replay(chat, [t["question"] for t in turns], with_replies=with_replies)
    for turn, reply in zip(turns, replies, strict=True):
        assert_quotes_valid(reply.answer, sample_index)
        assert quote_hit(reply.answer, turn["answers"], 3), (turn["question"], reply)
    assert replies[0].mode == "standalone"
    assert replies[0].resolved_question == turns[0]["question"]
    assert all(r.mode == "follow_up" for r in replies[1:])
    gold_article = turns[1]["article_id"]
    assert replies[1].context_articles[:1] == [gold_article]


def test_person_pronoun_becomes_the_name_the_answer_gave(chat: Chat) -> None:
    replies = replay(chat, ["이번 선거에서 누가 당선됐어?", "그 사람의 공약은?"])
    assert replies[1].resolved_question == "윤정호의 공약은?"
    replies = replay(chat, ["Who won the Harbor City Marathon?", "What was his winning time?"])
    assert replies[1].resolved_question.startswith("What was Daniel Kiprono's winning time?")


def test_elliptical_question_keeps_what_was_asked(
    chat: Chat, sample_index: LoadedIndex, conversations: dict[str, dict[str, Any]]
) -> None:
    """ "투어 전체로는?" asks the previous question's comment about a new topic."""
    turns = conversations["conv-ko-08"]["turns"]
    replies = replay(chat, [t["question"] for t in turns])
    assert replies[1].resolved_question == "투어 전체로는 관객이 얼마나 왔어?"
    assert quote_hit(replies[1].answer, turns[1]["answers"], 3)
    assert_quotes_valid(replies[1].answer, sample_index)


@pytest.mark.parametrize("conv_id", ["conv-ko-11", "conv-ko-12", "conv-en-18"])
def test_standalone_turn_is_not_polluted(
    chat: Chat,
    sample_index: LoadedIndex,
    conversations: dict[str, dict[str, Any]],
    conv_id: str,
) -> None:
    """A second question that names its own subject is asked exactly as written: the
    same quotes as asking it alone, no preferred articles."""
    turns = conversations[conv_id]["turns"]
    replies = replay(chat, [t["question"] for t in turns])
    second = replies[1]
    assert second.mode == "standalone"
    assert second.resolved_question == turns[1]["question"]
    assert second.context_articles == []
    alone = chat.answerer.ask(turns[1]["question"])
    assert [q.text for q in second.answer.quotes] == [q.text for q in alone.quotes]
    assert quote_hit(second.answer, turns[1]["answers"], 3)
    assert_quotes_valid(second.answer, sample_index)


def test_short_question_on_another_topic_is_standalone(chat: Chat) -> None:
    """ "요금은 얼마야?" after a baseball question: 요금 is not in the baseball article."""
    replies = replay(chat, ["KIA와 삼성 경기에서 누가 이겼어?", "요금은 얼마야?"])
    assert replies[1].mode == "standalone"
    assert replies[1].resolved_question == "요금은 얼마야?"
    assert quote_hit(replies[1].answer, ["1,550원"], 3)


def test_context_comes_from_the_assistant_message(chat: Chat, sample_index: LoadedIndex) -> None:
    """The previous answer's quote names the article and the person, whatever asking
    the vague previous question again would find."""
    row = sample_index.article_index("kr-gangneung-mayor-2025")
    sentences = [sample_index.sentence_text(r) for r in sample_index.article_sentence_rows(row)]
    sentence = next(s for s in sentences if "윤정호 후보가 당선됐다" in s)
    asked_again = chat.answerer.ask("누가 이겼어?")
    assert all(q.citation.article_id != "kr-gangneung-mayor-2025" for q in asked_again.quotes)
    messages = [
        {"role": "system", "content": "ignored"},
        {"role": "user", "content": "누가 이겼어?"},
        {"role": "assistant", "content": f"{sentence} [1]"},
        {"role": "user", "content": "그 사람의 공약은?"},
    ]
    reply = chat.reply(messages)
    assert reply.mode == "follow_up"
    assert reply.context_articles == ["kr-gangneung-mayor-2025"]
    assert reply.resolved_question == "윤정호의 공약은?"
    assert quote_hit(reply.answer, ["청년 창업단지", "시내버스 요금을 전면 무료"], 3)
    assert_quotes_valid(reply.answer, sample_index)


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [{"role": "assistant", "content": "hello [1]"}],
        [{"role": "user", "content": "누가 이겼어?"}, {"role": "assistant", "content": "x"}],
        [{"role": "user", "content": "   "}],
        [{"role": "robot", "content": "누가 이겼어?"}],
        [{"role": "user"}],
    ],
    ids=["empty", "no-user", "ends-with-assistant", "blank", "bad-role", "no-content"],
)
def test_bad_conversations_are_input_errors(chat: Chat, messages: list[dict[str, str]]) -> None:
    with pytest.raises(InputError):
        chat.reply(messages)


def test_cues(components: Components) -> None:
    analyzer = components.analyzer
    assert read_cues("정부는?", analyzer).elliptical
    assert not read_cues("요금은 얼마야?", analyzer).elliptical
    assert [a.referent for a in read_cues("그 사람의 공약은?", analyzer).anaphors] == ["person"]
    assert [a.referent for a in read_cues("거기서 관측된 풍속은?", analyzer).anaphors] == ["place"]
    assert [a.referent for a in read_cues("그중 네이버 몫은?", analyzer).anaphors] == ["part"]
    assert not read_cues("이번 선거에서 누가 당선됐어?", analyzer).anaphors
    assert [a.referent for a in read_cues("When will it close?", analyzer).anaphors] == ["thing"]
    assert not read_cues("Which company said that profits rose?", analyzer).anaphors
    assert not read_cues("Is there a fee?", analyzer).anaphors
    assert read_cues("그럼 LG전자는?", analyzer).continuation


def test_substitution_fixes_the_particle(components: Components) -> None:
    analyzer = components.analyzer
    for question, name, expected in [
        ("그는 몇 타점을 올렸어?", "최민혁", "최민혁은 몇 타점을 올렸어?"),
        ("그가 쳤어?", "최민혁", "최민혁이 쳤어?"),
        ("그 사람을 만났어?", "이재명", "이재명을 만났어?"),
        ("그는 몇 살이야?", "윤정호", "윤정호는 몇 살이야?"),
        ("How old is he?", "Daniel Kiprono", "How old is Daniel Kiprono?"),
    ]:
        cues = read_cues(question, analyzer)
        assert substitute(question, cues.anaphors, "person", name) == expected


def test_answer_entity(components: Components) -> None:
    analyzer = components.analyzer
    quote = "지난 2일 치러진 강릉시장 보궐선거에서 무소속 윤정호 후보가 당선됐다."
    assert answer_entity(quote, "이번 선거에서 누가 당선됐어?", "person", analyzer) == "윤정호"
    # A quote of two sentences side by side: the first sentence's subject is the answer.
    two = quote + " 2위를 한 김미경 후보가 결과에 승복했다."
    assert answer_entity(two, "이번 선거에서 누가 당선됐어?", "person", analyzer) == "윤정호"
    quote = "배터리 제조사 가온배터리가 20일 충북 청주시 오창읍에서 공장 착공식을 열었다."
    where = answer_entity(quote, "가온배터리 공장은 어디에 지어져?", "place", analyzer)
    assert where == "충북 청주시 오창읍"
    quote = "Kenyan runner Daniel Kiprono won the Harbor City Marathon on Sunday."
    assert answer_entity(quote, "Who won the Harbor City Marathon?", "person", analyzer) == (
        "Daniel Kiprono"
    )
    assert answer_entity("No name here at all.", "Who won?", "person", analyzer) is None
    # The title a work question was answered with, not the one it named.
    quote = "스페셜 앨범 <화양연화 Young Forever>의 타이틀곡 ‘불타오르네’로 활동했다."
    song = answer_entity(quote, "<화양연화 Young Forever>의 타이틀곡은?", "title", analyzer)
    assert song == "불타오르네"


@pytest.fixture(scope="module")
def conversation_report(chat: Chat) -> dict[str, Any]:
    return evaluate_conversations(chat, CONVERSATIONS)


def test_conversation_hit_rates(conversation_report: dict[str, Any]) -> None:
    """Over all 18 conversations: a turn is a hit@k when a gold string lies in its first
    k quotes. The floors are loose; the numbers are printed in the summary."""
    report = conversation_report
    assert report["conversations"] == 18
    fu, overall, alone = report["follow_up"], report["overall"], report["follow_up_asked_alone"]
    note(
        f"chat follow-up turns ({fu['turns']}): hit@1 {fu['hit@1']:.0%}, hit@3 {fu['hit@3']:.0%}"
        f" (asked alone: hit@1 {alone['hit@1']:.0%}, hit@3 {alone['hit@3']:.0%}); "
        f"all turns ({overall['turns']}): hit@1 {overall['hit@1']:.0%}, "
        f"hit@3 {overall['hit@3']:.0%}; mode agreement {report['mode_agreement']:.0%}; "
        f"missed@3: {report['missed@3'] or 'none'}"
    )
    assert fu["hit@3"] >= FOLLOW_UP_HIT3_FLOOR
    assert fu["hit@3"] >= alone["hit@3"]
    assert overall["hit@3"] >= OVERALL_HIT3_FLOOR
    assert report["mode_agreement"] >= 0.9
