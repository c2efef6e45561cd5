"""Chat quality over a conversations file (``data/questions/conversations.jsonl``).

Each conversation is replayed turn by turn as a client would send it: the earlier user
questions, each followed by the assistant message the chat gave it (or, with
``with_replies=False``, the user questions alone, so context comes from asking again).
A turn is a hit@k when a gold answer string lies in one of its first k quotes. Turns
after the first are follow-ups unless the file marks them ``"standalone": true``; for
comparison, follow-ups are also asked alone, without their conversation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from index.errors import SourceError
from qa.chat import Chat, ChatMessage


def _hit(quotes: list[str], gold: list[str], k: int) -> bool:
    return any(g in q for q in quotes[:k] for g in gold)


def _count(tally: dict[str, int], hits: dict[int, bool]) -> None:
    tally["turns"] += 1
    for k, hit in hits.items():
        tally[f"hit@{k}"] += int(hit)


def evaluate_conversations(chat: Chat, path: Path, *, with_replies: bool = True) -> dict[str, Any]:
    """Hit@1/hit@3 of follow-up, stand-alone and all turns, how often the chat's mode
    (follow-up or not) agrees with the file, and the turns missed at 3."""
    if not path.is_file():
        raise SourceError(f"conversations file not found: {path}")
    names = ("follow_up", "standalone", "overall", "follow_up_asked_alone")
    groups: dict[str, dict[str, int]] = {g: {"turns": 0, "hit@1": 0, "hit@3": 0} for g in names}
    agree = 0
    missed: list[str] = []
    turns_log: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        conversations = [json.loads(line) for line in fh if line.strip()]
    for conv in conversations:
        messages: list[ChatMessage] = []
        for n, turn in enumerate(conv["turns"]):
            messages.append(ChatMessage("user", turn["question"]))
            reply = chat.reply(messages)
            if with_replies:
                messages.append(ChatMessage("assistant", reply.answer.answer))
            quotes = [q.text for q in reply.answer.quotes]
            follow_up = n > 0 and not turn.get("standalone", False)
            hits = {k: _hit(quotes, turn["answers"], k) for k in (1, 3)}
            _count(groups["follow_up" if follow_up else "standalone"], hits)
            _count(groups["overall"], hits)
            if follow_up:
                alone = [q.text for q in chat.answerer.ask(turn["question"]).quotes]
                _count(
                    groups["follow_up_asked_alone"],
                    {k: _hit(alone, turn["answers"], k) for k in (1, 3)},
                )
            agree += int(follow_up == (reply.mode != "standalone"))
            turn_id = f"{conv['id']}#{n + 1}"
            if not hits[3]:
                missed.append(turn_id)
            turns_log.append(
                {
                    "turn": turn_id,
                    "mode": reply.mode,
                    "resolved": reply.resolved_question,
                    "hit@1": hits[1],
                    "hit@3": hits[3],
                }  # fmt: skip
            )
    total = groups["overall"]["turns"]
    report: dict[str, Any] = {"conversations": len(conversations)}
    for group, tally in groups.items():
        n = max(tally["turns"], 1)
        report[group] = {
            "turns": tally["turns"],
            "hit@1": round(tally["hit@1"] / n, 4),
            "hit@3": round(tally["hit@3"] / n, 4),
        }
    report["mode_agreement"] = round(agree / max(total, 1), 4)
    report["missed@3"] = missed
    report["turns"] = turns_log
    return report
