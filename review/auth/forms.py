"""Login and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from review.services.passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    """Username (学号/工号) and password."""

    username = StringField(_l("学号 / 工号"), validators=[DataRequired(_l("请输入学号或工号。"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。"))])
    submit = SubmitField(_l("登录"))


class ChangePasswordForm(FlaskForm):
    """Current password and a new one, twice."""

    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))])
    new = PasswordField(
        _l("新密码"),
        validators=[
            DataRequired(_l("请输入新密码。")),
            Length(min=MIN_LENGTH, message=_l("新密码至少需要 %(n)d 个字符。", n=MIN_LENGTH)),
        ],
    )
    confirm = PasswordField(
        _l("再次输入新密码"), validators=[EqualTo("new", message=_l("两次输入的新密码不一致。"))]
    )
    submit = SubmitField(_l("修改密码"))


class ForgotPasswordForm(FlaskForm):
    """The username (学号/工号) or the email address of the account."""

    identifier = StringField(
        _l("学号 / 工号或邮箱"),
        validators=[DataRequired(_l("请输入学号、工号或邮箱。")), Length(max=254)],
    )
    submit = SubmitField(_l("发送重置链接"))


class ResetPasswordForm(FlaskForm):
    """A new password, twice."""

    new = PasswordField(
        _l("新密码"),
        validators=[
            DataRequired(_l("请输入新密码。")),
            Length(min=MIN_LENGTH, message=_l("新密码至少需要 %(n)d 个字符。", n=MIN_LENGTH)),
        ],
    )
    confirm = PasswordField(
        _l("再次输入新密码"), validators=[EqualTo("new", message=_l("两次输入的新密码不一致。"))]
    )
    submit = SubmitField(_l("设置新密码"))
