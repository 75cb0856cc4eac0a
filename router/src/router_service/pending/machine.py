"""The pending-action state machine as a table: every named move, where it may start, where
it ends, and whether it commits at once.

``pending.service`` performs the moves; nothing else changes ``pending_actions.state``.
docs/dialogue.md prints this table and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from router_service.pending.models import ActionState

S = ActionState


@dataclass(frozen=True)
class Move:
    """One named transition. ``commits``: the move is committed on its own, at once (others
    join the transaction of the turn and are committed with its reply)."""

    name: str
    sources: frozenset[ActionState]
    target: ActionState
    commits: bool
    why: str


class IllegalMove(RuntimeError):
    """A move asked of an action in a state it cannot start from (a bug, never a race)."""

    def __init__(self, move: Move, state: ActionState) -> None:
        super().__init__(f"{move.name} cannot start from {state} (only {sorted(move.sources)})")
        self.move, self.state = move, state


def _move(name: str, sources: set[ActionState], target: ActionState, commits: bool, why: str):
    return Move(name, frozenset(sources), target, commits, why)


# The states a new action may be created in (pending.service.create_action).
INITIAL_STATES = frozenset(
    {
        S.proposed,
        S.awaiting_choice,
        S.awaiting_scope,
        S.awaiting_date,
        S.awaiting_auth,
        S.executing,
        S.done,
        S.failed,
    }
)

MOVES: dict[str, Move] = {
    move.name: move
    for move in (
        _move("claim_approval", {S.proposed}, S.approved, False, "the person said yes in time"),
        _move(
            "resume_approved",
            {S.awaiting_auth},
            S.approved,
            False,
            "consent is back for an action the person had approved",
        ),
        _move(
            "start_execution",
            {S.approved},
            S.executing,
            True,
            "claimed before the calendar write, so one process runs it",
        ),
        _move("finish", {S.executing}, S.done, False, "the write (or the answer) is done"),
        _move(
            "fail",
            {S.proposed, S.awaiting_choice, S.awaiting_scope, S.awaiting_auth, S.executing},
            S.failed,
            False,
            "nothing to do (no such event, no change) or the calendar refused",
        ),
        _move(
            "park_for_auth",
            {S.executing},
            S.awaiting_auth,
            False,
            "Google consent is missing: the person gets a link",
        ),
        _move(
            "reopen",
            {S.awaiting_auth},
            S.proposed,
            False,
            "consent is back: proposed again, with its new plan in the same UPDATE",
        ),
        _move(
            "reopen_choice",
            {S.awaiting_auth},
            S.awaiting_choice,
            False,
            "consent is back and several events match: the person chooses",
        ),
        _move(
            "choose",
            {S.awaiting_choice},
            S.proposed,
            False,
            "the person picked an event: proposed with its plan",
        ),
        _move(
            "choose_scope",
            {S.awaiting_scope},
            S.proposed,
            False,
            "the person said which occurrences of the series (one, following, all): proposed",
        ),
        _move(
            "choose_occurrence",
            {S.awaiting_choice},
            S.awaiting_scope,
            False,
            "the person picked an occurrence of a series: which occurrences is asked next",
        ),
        _move(
            "reopen_scope",
            {S.awaiting_auth},
            S.awaiting_scope,
            False,
            "consent is back and the event is an occurrence of a series: the person says which",
        ),
        _move(
            "answer_date",
            {S.awaiting_date},
            S.done,
            False,
            "the person named the day: the completed request is proposed as a new action",
        ),
        _move(
            "reject",
            {S.proposed, S.awaiting_choice, S.awaiting_scope, S.awaiting_auth, S.awaiting_date},
            S.rejected,
            False,
            "no",
        ),
        _move(
            "expire",
            {S.proposed, S.awaiting_choice, S.awaiting_scope, S.awaiting_date},
            S.expired,
            False,
            "unanswered past ROUTER_PROPOSAL_TTL_MINUTES",
        ),
        _move(
            "supersede",
            {S.proposed, S.awaiting_choice, S.awaiting_scope, S.awaiting_auth, S.awaiting_date},
            S.superseded,
            False,
            "a newer request replaced one still waiting for the person (who is told)",
        ),
        _move(
            "reclaim",
            {S.approved, S.executing},
            S.approved,
            True,
            "a stopped process left it: run again (same Idempotency-Key)",
        ),
        _move(
            "give_up",
            {S.approved, S.executing},
            S.failed,
            False,
            "stopped mid-way ROUTER_RECOVERY_MAX_ATTEMPTS times: failed, the person is told",
        ),
        # Undo (dialogue.undo): a done create, update or delete taken back, once.
        _move(
            "start_undo",
            {S.done},
            S.undoing,
            True,
            "the person asked to undo within the window; claimed before the calendar write",
        ),
        _move("finish_undo", {S.undoing}, S.undone, False, "the inverse write is done"),
        _move(
            "abandon_undo",
            {S.undoing},
            S.done,
            False,
            "the calendar refused the inverse write: nothing changed, it may be asked again",
        ),
        _move(
            "reclaim_undo",
            {S.undoing},
            S.undoing,
            True,
            "a stopped process left it: run again (same Idempotency-Key)",
        ),
    )
}


def allowed(state: ActionState) -> list[str]:
    """The names of the moves that may start from ``state``."""
    return [name for name, move in MOVES.items() if state in move.sources]


def reachable() -> set[ActionState]:
    """Every state a created action can reach (each must be, or the table lost one)."""
    found, frontier = set(INITIAL_STATES), list(INITIAL_STATES)
    while frontier:
        state = frontier.pop()
        for name in allowed(state):
            target = MOVES[name].target
            if target not in found:
                found.add(target)
                frontier.append(target)
    return found


def markdown_table() -> str:
    """The table as docs/dialogue.md shows it (one row per move)."""
    lines = ["| move | from | to | commits at once |", "|---|---|---|---|"]
    for move in MOVES.values():
        sources = ", ".join(f"`{s}`" for s in sorted(move.sources))
        commits = "yes" if move.commits else "no"
        lines.append(f"| `{move.name}` | {sources} | `{move.target}` | {commits} |")
    return "\n".join(lines)
