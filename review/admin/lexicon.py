"""Admin page for this installation's Party-term lexicon (added and removed terms)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.access import role_required
from review.admin import bp
from review.exceptions import HuibaoError
from review.extensions import db
from review.models import Role
from review.services import terms


@bp.route("/lexicon", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def lexicon() -> ResponseReturnValue:
    """Show the lexicon in force; add a term."""
    if request.method == "POST":
        try:
            term = terms.add_term(current_user.id, request.form.get("term", ""))
        except HuibaoError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("已加入术语“%(term)s”。", term=term), "success")
        return redirect(url_for("admin.lexicon"))
    added, removed = terms.lexicon_changes()
    return render_template(
        "admin/lexicon.html", added=added, removed=removed, in_force=terms.get_lexicon()
    )


@bp.route("/lexicon/remove", methods=["POST"])
@role_required(Role.ADMIN)
def remove_term() -> ResponseReturnValue:
    """Take a term out of the lexicon."""
    try:
        term = terms.remove_term(current_user.id, request.form.get("term", ""))
    except HuibaoError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        flash(_("已移除术语“%(term)s”。", term=term), "success")
    return redirect(url_for("admin.lexicon"))
