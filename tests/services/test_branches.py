"""Branches are listed in reading order, numbers read by value in both scripts."""

from __future__ import annotations

from review.extensions import db
from review.models import Branch
from review.services.branches import all_branches, natural_key


def test_numbers_sort_by_value_in_digits_and_chinese_numerals():
    names = ["第10党支部", "第2党支部", "第1党支部", "第十党支部", "第二党支部", "第三党支部",
             "计算机学院第十二党支部", "计算机学院第二党支部", "二支部", "一支部"]  # fmt: skip
    assert sorted(names, key=natural_key) == [
        "一支部",
        "二支部",
        "第1党支部",
        "第2党支部",
        "第二党支部",
        "第三党支部",
        "第10党支部",
        "第十党支部",
        "计算机学院第二党支部",
        "计算机学院第十二党支部",
    ]


def test_all_branches_in_reading_order(app):
    db.session.add_all(Branch(name=n) for n in ("第十党支部", "第二党支部", "第一党支部"))
    db.session.commit()
    names = [b.name for b in all_branches()]
    assert names.index("第一党支部") < names.index("第二党支部") < names.index("第十党支部")
