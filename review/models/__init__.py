"""Database models, one module per aggregate."""

from review.models.analysis import Analysis, SignatureBand, TextSignature
from review.models.audit import AuditEvent
from review.models.branch import Branch, reviewer_branches
from review.models.decision import AgreedMark, Decision, DecisionChange
from review.models.lexicon import LexiconTerm
from review.models.media_asset import (
    ChunkState,
    TranscriptChunk,
    TranscriptSegment,
    Video,
    VideoState,
)
from review.models.notification import (
    Channel,
    Notification,
    NotificationPreference,
    NotificationState,
)
from review.models.period import Criterion, Period, Rubric, RubricVersion
from review.models.phrase import CommentPhrase
from review.models.review import Comment, DraftField, Review, ReviewState, Score
from review.models.submission import PaperFile, Submission, SubmissionState, SubmissionVersion
from review.models.upload import Upload
from review.models.user import ApiToken, Role, User

__all__ = [
    "Analysis",
    "SignatureBand",
    "TextSignature",
    "AgreedMark",
    "ApiToken",
    "AuditEvent",
    "Branch",
    "Channel",
    "ChunkState",
    "Comment",
    "CommentPhrase",
    "Criterion",
    "Decision",
    "DecisionChange",
    "DraftField",
    "Notification",
    "NotificationPreference",
    "NotificationState",
    "PaperFile",
    "LexiconTerm",
    "Period",
    "Review",
    "ReviewState",
    "Role",
    "Rubric",
    "RubricVersion",
    "Score",
    "Submission",
    "SubmissionState",
    "SubmissionVersion",
    "TranscriptChunk",
    "TranscriptSegment",
    "Upload",
    "User",
    "Video",
    "VideoState",
    "reviewer_branches",
]
