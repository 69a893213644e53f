"""What a released result shows the activist: one rule for the activist's page, the API and
the reviewer's preview ("积极分子将看到：…"), set per period by the committee."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from review.exceptions import ValidationError
from review.models import Period
from review.models.period import FEEDBACK_MODES

OUTCOME_LABELS = {"pass": _l("通过"), "revise": _l("需修改"), "fail": _l("不通过")}

MODE_LABELS = {
    "scores": _l("结论、意见、各项分数和审阅人的评语"),
    "marks": _l("结论、意见和各项分数（审阅人的评语只给党委看）"),
    "decision": _l("只显示结论和党委意见"),
}


def outcome_label(outcome: str | None) -> str:
    """Return the Chinese label of a decision outcome (empty when undecided)."""
    return str(OUTCOME_LABELS.get(outcome or "", ""))


@dataclass(frozen=True)
class FeedbackRules:
    """Which parts of a released result reach the activist."""

    mode: str

    @property
    def detailed(self) -> bool:
        """Return True when the agreed scores and visible time-coded comments show."""
        return self.mode in ("scores", "marks")

    @property
    def with_notes(self) -> bool:
        """Return True when the reviewers' notes and overall comments show too."""
        return self.mode == "scores"

    def parts(self) -> list[str]:
        """Return the names of what the activist sees, in the order the pages show them."""
        parts = [str(_l("委员会发布的结论")), str(_l("党委意见"))]
        if self.detailed:
            parts.append(str(_l("认定的各项分数")))
        if self.with_notes:
            parts += [str(_l("审阅人的各项评语")), str(_l("审阅人的总体评语"))]
        if self.detailed:
            parts.append(str(_l("标为“积极分子可见”的时间点评语")))
        return parts

    def hidden(self) -> list[str]:
        """Return the names of what stays between the reviewers and the committee."""
        if self.with_notes:
            return [str(_l("未标为“积极分子可见”的时间点评语"))]
        if self.detailed:
            return [
                str(_l("各项评语")),
                str(_l("总体评语")),
                str(_l("未标为“积极分子可见”的时间点评语")),
            ]
        return [
            str(_l("各项分数")),
            str(_l("各项评语")),
            str(_l("总体评语")),
            str(_l("时间点评语")),
        ]


def rules_for(period: Period) -> FeedbackRules:
    """Return the feedback rules of a period."""
    mode = period.feedback_mode
    return FeedbackRules(mode if mode in FEEDBACK_MODES else "scores")


def check_mode(mode: str) -> str:
    """Return mode when it is a known feedback mode.

    Raises:
        ValidationError: an unknown mode.
    """
    if mode not in FEEDBACK_MODES:
        raise ValidationError(
            _l("积极分子可见的内容只能是“分数和评语”“只显示分数”或“只显示结论”。")
        )
    return mode
