"""The comment library (常用评语): a reviewer's own phrases and those shared with their branches.

Who sees what: a reviewer lists their own phrases and the phrases shared with a branch they
review now; nobody else's. Only the owner shares, unshares or deletes a phrase, and shares it
only with a branch they review. A phrase the caller may not see is answered as not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_, select

from review.exceptions import NotFoundError, PermissionDeniedError, ValidationError
from review.extensions import db
from review.models import Branch, CommentPhrase, Role, User

MAX_TEXT, MAX_CRITERION, MAX_PER_OWNER = 1000, 100, 500


@dataclass
class PhraseView:
    """A phrase as the review page lists it."""

    id: int
    text: str
    criterion: str | None
    mine: bool
    branch_id: int | None
    branch: str | None

    def as_dict(self) -> dict:
        """Return the JSON the page reads."""
        return self.__dict__.copy()


def _reviewer(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.has_role(Role.REVIEWER):
        raise PermissionDeniedError(_l("只有审阅人可以使用常用评语。"))
    return user


def _view(phrase: CommentPhrase, user_id: int, names: dict[int, str]) -> PhraseView:
    return PhraseView(
        phrase.id,
        phrase.text,
        phrase.criterion,
        phrase.owner_id == user_id,
        phrase.branch_id,
        names.get(phrase.branch_id) if phrase.branch_id else None,
    )


def _branch_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Branch.id, Branch.name).where(Branch.id.in_(ids)))
    return {row.id: row.name for row in rows}


def list_phrases(user_id: int) -> list[PhraseView]:
    """Return the phrases the reviewer may use: their own, then their branches' shared ones."""
    user = _reviewer(user_id)
    branches = user.reviewable_branch_ids()
    query = (
        select(CommentPhrase)
        .where(
            or_(
                CommentPhrase.owner_id == user_id,
                CommentPhrase.branch_id.in_(branches) if branches else false(),
            )
        )
        .order_by((CommentPhrase.owner_id != user_id), CommentPhrase.id.desc())
    )
    rows = list(db.session.scalars(query))
    names = _branch_names({p.branch_id for p in rows if p.branch_id})
    return [_view(p, user_id, names) for p in rows]


def _check_branch(user: User, branch_id: int | None) -> None:
    if branch_id is not None and branch_id not in user.reviewable_branch_ids():
        raise PermissionDeniedError(_l("只能共享给您负责审阅的支部。"))


def add_phrase(
    user_id: int, text: str, criterion: str | None = None, branch_id: int | None = None
) -> PhraseView:
    """Save a phrase for reuse (shared with branch_id when given); a repeat returns the first.

    Raises:
        ValidationError: empty or too long.
        PermissionDeniedError: not a reviewer, or a branch the reviewer does not review.
    """
    user = _reviewer(user_id)
    text = (text or "").strip()
    criterion = (criterion or "").strip() or None
    if not text:
        raise ValidationError(_l("常用评语不能为空。"))
    if len(text) > MAX_TEXT or (criterion and len(criterion) > MAX_CRITERION):
        raise ValidationError(_l("常用评语最多 %(n)d 个字。", n=MAX_TEXT))
    _check_branch(user, branch_id)
    same = db.session.scalar(
        select(CommentPhrase).where(
            CommentPhrase.owner_id == user_id,
            CommentPhrase.text == text,
            CommentPhrase.criterion.is_(None)
            if criterion is None
            else CommentPhrase.criterion == criterion,
        )
    )
    if same is None:
        count = db.session.scalar(select(func.count()).where(CommentPhrase.owner_id == user_id))
        if (count or 0) >= MAX_PER_OWNER:
            raise ValidationError(
                _l("常用评语最多保存 %(n)d 条，请先删除不再用的。", n=MAX_PER_OWNER)
            )
        same = CommentPhrase(owner_id=user_id, text=text, criterion=criterion)
        db.session.add(same)
    if branch_id is not None:
        same.branch_id = branch_id
    db.session.commit()
    return _view(same, user_id, _branch_names({same.branch_id} if same.branch_id else set()))


def _own(user_id: int, phrase_id: int) -> tuple[User, CommentPhrase]:
    user = _reviewer(user_id)
    phrase = db.session.get(CommentPhrase, phrase_id)
    if phrase is None or phrase.owner_id != user_id:
        raise NotFoundError(_l("找不到这条常用评语，或它不是您的。"))
    return user, phrase


def share_phrase(user_id: int, phrase_id: int, branch_id: int | None) -> PhraseView:
    """Share the owner's phrase with one of their branches, or keep it to themselves (None)."""
    user, phrase = _own(user_id, phrase_id)
    _check_branch(user, branch_id)
    phrase.branch_id = branch_id
    db.session.commit()
    return _view(phrase, user_id, _branch_names({branch_id} if branch_id else set()))


def delete_phrase(user_id: int, phrase_id: int) -> None:
    """Delete the owner's phrase (shared copies go with it)."""
    _user, phrase = _own(user_id, phrase_id)
    db.session.delete(phrase)
    db.session.commit()
