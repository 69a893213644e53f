"""Party-term correction in pinyin space: true corrections, refusals, punctuation, timing."""

from __future__ import annotations

import pytest

from media.terms import (
    TermFix,
    correct_segments,
    correct_text,
    hint_terms,
    normalize_punctuation,
    shipped_terms,
    syllable_cost,
    undo_fix,
)


@pytest.mark.parametrize(
    ("heard", "expected"),
    [
        ("拥护党的钢灵", "拥护党的纲领"),
        ("旅行党原义务", "履行党员义务"),
        ("对党忠深", "对党忠诚"),
        ("随时准备为党和人民犀声一切", "随时准备为党和人民牺牲一切"),
        ("永不判党", "永不叛党"),
        ("温逗忠深", "奋斗终身"),
        ("卫共产主义", "为共产主义"),
        ("卫共产主义温逗忠深", "为共产主义奋斗终身"),
        ("我认真学习了党的二时大报告", "我认真学习了党的二十大报告"),
        ("全心全意为人民服物", "全心全意为人民服务"),
        ("每月的三会一刻", "每月的三会一课"),
        # phone-quality audio: one syllable of a long phrase heard as anything
        ("拥护党的纲领、分手党的章程", "拥护党的纲领、遵守党的章程"),
        ("积极工作、汇共产主义分斗忠诚。", "积极工作、为共产主义奋斗终身。"),
    ],
)
def test_corrects_homophones_of_terms(heard: str, expected: str) -> None:
    assert correct_text(heard).text == expected


def test_fix_records_what_was_heard() -> None:
    result = correct_text("我志愿加入中国共产党，拥护党的钢灵，遵守党的章程")
    assert result.heard == "我志愿加入中国共产党，拥护党的钢灵，遵守党的章程"
    assert result.fixes == (TermFix(at=15, heard="钢灵", term="纲领", entry="拥护党的纲领"),)
    assert result.text[15:17] == "纲领"
    assert undo_fix(result.text, result.fixes[0]) == result.heard


@pytest.mark.parametrize(
    "text",
    [
        "暑假我和家人去云南旅行，看了很多风景。",  # 旅行 is travel here, not 履行
        "我们去旅行了",
        "我们要保卫共产主义事业",  # 保卫 must not lose its 卫
        "他在外地读书，很思乡",  # 思乡 is a word, not 思想
        "今年夏天的温度很高",
        "他判断得很准确",
        "这是一枚中程导弹",
        "钢铁工人在车间工作",
        "文学中的现实主义",  # a real word as a whole: not a misheard 形式主义
    ],
)
def test_refuses_near_real_different_words(text: str) -> None:
    result = correct_text(text)
    assert result.text == text
    assert result.fixes == ()


def test_correct_text_is_left_as_it_is() -> None:
    oath = "我志愿加入中国共产党，拥护党的纲领，遵守党的章程，履行党员义务，执行党的决定。"
    assert correct_text(oath).text == oath
    assert correct_text(oath).fixes == ()


def test_missing_phrases_are_not_invented() -> None:
    partial = "我志愿加入中国共产党，拥护党的纲领，对党忠诚，积极工作，为共产主义奋斗终身。"
    assert correct_text(partial).text == partial


def test_segments_are_corrected_one_by_one() -> None:
    out = correct_segments(["拥护党的钢灵", "旅行党原义务", "谢谢大家"])
    assert [c.text for c in out] == ["拥护党的纲领", "履行党员义务", "谢谢大家"]


def test_lexicon_can_be_given() -> None:
    assert correct_text("我们学习了新智生产力", ["新质生产力"]).text == "我们学习了新质生产力"
    assert correct_text("拥护党的钢灵", []).text == "拥护党的钢灵"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("拥护党的纲领,遵守党的章程.", "拥护党的纲领，遵守党的章程。"),
        ("你好吗?我很好!", "你好吗？我很好！"),
        ("注意:三点 ; 两点", "注意：三点；两点"),
        ("我志愿加入中国共产党 拥护党的纲领", "我志愿加入中国共产党，拥护党的纲领"),
        ("版本 3.5 和 Python, Flask", "版本 3.5 和 Python, Flask"),
        ("得分是3.5分", "得分是3.5分"),
    ],
)
def test_punctuation_is_full_width_in_chinese(raw: str, expected: str) -> None:
    assert normalize_punctuation(raw) == expected


def test_syllable_cost_orders_confusions() -> None:
    assert syllable_cost("gang", "gang") == 0
    assert syllable_cost("shen", "sheng") < syllable_cost("shen", "cheng") < 1
    assert syllable_cost("ba", "qiu") == 1


def test_shipped_lexicon_and_hints() -> None:
    terms = shipped_terms()
    assert len(terms) >= 300
    for term in ("纲领", "履行党员义务", "三会一课", "不忘初心、牢记使命", "乡村振兴", "二十大"):
        assert term in terms
    hints = hint_terms(terms, 40)
    assert sum(len(t) + 1 for t in hints) <= 40
    assert hints[0] == terms[0]
