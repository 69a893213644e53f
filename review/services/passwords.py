"""Password strength (zxcvbn with Chinese habits added) and generated one-time passwords."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from review.exceptions import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn 0-4; 3: "safely unguessable", about 10^8 guesses and more
ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters decide

# What Chinese users choose and zxcvbn's English lists lack (CSDN, 163, 12306 leaks), plus
# the words of this product; zxcvbn ranks these as a dictionary, so a mix of them scores low.
# fmt: off
CHINESE_HABITS = (
    "woaini", "5201314", "1314520", "1314", "520", "woaini1314", "aini", "woaini520",
    "wodemima", "mima", "mimamima", "nihao", "laopo", "laogong", "baobao", "woaiwojia",
    "woshishui", "wobuzhidao", "caonima", "wocaonima", "zhang", "wang", "li", "liu", "chen",
    "yang", "zhao", "huang", "zhou", "wu", "zhangwei", "wangwei", "wangfang", "liwei",
    "beijing", "shanghai", "zhongguo", "china", "xiaoxiao", "tiantian", "qingqing",
    "dongdong", "huanhuan", "yangyang", "qwertyuiop", "1qaz2wsx", "qazwsxedc", "asdfghjkl",
    "zxcvbnm", "147258369", "789456123", "123654789", "dearbook", "xiazhili", "110110",
    "dangyuan", "rudang", "gongchandang", "zhibu", "dangwei", "dangzhibu",
    "jijifenzi", "sixiang", "sixianghuibao", "zuzhibu", "xuehao", "gonghao",
    "lanqiu-xigua-47-yuzhou",  # the example in the message below
)
# fmt: on

_REASONS = {
    "user_inputs": _l("包含了学号、工号或姓名拼音"),
    "chinese": _l("是常见密码，例如 woaini1314、qwertyuiop"),
    "dictionary": _l("是常见密码或常用单词"),
    "spatial": _l("是键盘上连在一起的按键"),
    "repeat": _l("有大段重复的字符"),
    "sequence": _l("是连续的字母或数字"),
    "date": _l("包含日期或年份"),
    "regex": _l("包含日期或年份"),
}


def _personal(username: str, name: str) -> list[str]:
    words = [w for w in (username.strip(), name.strip()) if w]
    if name.strip():
        from pypinyin import lazy_pinyin

        syllables = lazy_pinyin(name.strip())
        words += ["".join(syllables), "".join(syllables[1:]) + syllables[0], syllables[0]]
    return [w.lower() for w in words if w]


def _reason(result: Mapping[str, Any], personal: set[str]) -> str | None:
    for match in result["sequence"]:
        if match["pattern"] == "dictionary" and match.get("dictionary_name") == "user_inputs":
            word = match["matched_word"]
            return str(_REASONS["user_inputs" if word in personal else "chinese"])
    for match in result["sequence"]:
        if match["pattern"] in _REASONS:
            return str(_REASONS[match["pattern"]])
    return None


def check_strength(password: str, *, username: str = "", name: str = "") -> None:
    """Refuse a password that is short or easy to guess, saying in Chinese how to do better.

    Raises:
        ValidationError: with the reason and a tip.
    """
    tip = _l(
        "请换一个至少 %(n)d 个字符、不含学号和姓名的密码，例如把三四个不相关的词用符号连起来，"
        "如 lanqiu-xigua-47-yuzhou。",
        n=MIN_LENGTH,
    )
    if len(password) < MIN_LENGTH:
        raise ValidationError(_l("密码至少需要 %(n)d 个字符。", n=MIN_LENGTH) + str(tip))
    if len(password) > MAX_LENGTH:
        raise ValidationError(_l("密码不能超过 %(n)d 个字符。", n=MAX_LENGTH))
    personal = _personal(username, name)
    if len(username.strip()) >= 4 and username.strip().lower() in password.lower():
        # Whoever knows the person knows the 学号: zxcvbn still rates `liming-2024001` a 3.
        raise ValidationError(
            _l("这个密码太容易被猜到（%(r)s）。", r=_REASONS["user_inputs"]) + str(tip)
        )
    result = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[*personal, *CHINESE_HABITS])
    if result["score"] >= MIN_SCORE:
        return
    reason = _reason(result, set(personal))
    if reason:
        raise ValidationError(_l("这个密码太容易被猜到（%(r)s）。", r=reason) + str(tip))
    raise ValidationError(_l("这个密码太容易被猜到。") + str(tip))


_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def new_password(username: str = "", name: str = "") -> str:
    """Return a random one-time password of 12 unambiguous characters that passes the check."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        try:
            check_strength(password, username=username, name=name)
        except ValidationError:  # vanishingly rare: a random run that looks like a word
            continue
        return password
