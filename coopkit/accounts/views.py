from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from coopkit.accounts import forms, services
from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.extensions import limiter
from coopkit.mail import send_mail
from coopkit.web import external_url

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def _start_session(user, remember: bool = False) -> None:
    # A fresh session at log-in: nothing from before (e.g. a planted id) carries over.
    session.clear()
    login_user(user, remember=remember)


@bp.route("/signup", methods=["GET", "POST"])
@requires("public")
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("coops.index"))
    form = forms.SignupForm(email=request.args.get("email", ""))
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.name.data, form.password.data)
        except services.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            _start_session(user)
            flash("Welcome to coopkit. Your account is ready.", "success")
            return redirect(_safe_next(url_for("coops.index")))
    return render_template("accounts/signup.html", form=form, next=_safe_next(""))


def _failed_login(response) -> bool:
    # Only failed attempts count towards the limit.
    return response.status_code == 200 and request.method == "POST"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"], deduct_when=_failed_login)
@requires("public")
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(url_for("coops.index")))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            return redirect(_safe_next(url_for("coops.index")))
        form.password.errors.append("That email and password don't match an account.")
    return render_template("accounts/login.html", form=form, next=_safe_next(""))


@bp.route("/logout", methods=["POST"])
@requires("account")
def logout():
    if EmptyForm().validate_on_submit():
        # A new session generation: a copy of this session or remember-me cookie is dead too.
        services.log_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have logged out.", "info")
    return redirect(url_for("coops.landing"))


@bp.route("/account/logout-everywhere", methods=["POST"])
@requires("account")
def logout_everywhere():
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.profile"))
    services.log_out(current_user._get_current_object(), everywhere=True)
    logout_user()
    session.clear()
    flash("You have logged out on every device. Log in again to carry on here.", "info")
    return redirect(url_for("coops.landing"))


@bp.route("/account", methods=["GET", "POST"])
@requires("account")
def profile():
    form = forms.ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, form.name.data)
        flash("Your name is updated.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, everywhere_form=EmptyForm())


@bp.route("/account/password", methods=["GET", "POST"])
@requires("account")
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.AccountError as exc:
            form.current.errors.append(str(exc))
        else:
            # The password generation changed: start a fresh session for this device only.
            _start_session(current_user._get_current_object())
            flash("Your password is changed. Other devices have been logged out.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


RESET_SENT = ("If an account uses that address, we have sent it a link to choose a new password. "
              "The link works once, within {minutes} minutes.")


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@requires("public")
def reset_request():
    form = forms.ResetRequestForm()
    settings = current_app.extensions["coopkit.settings"]
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None:
            link = external_url("accounts.reset_password", token=services.make_reset_token(user))
            # Queued after commit; the answer is the same either way, so it reveals no account.
            send_mail(user.email, "Choose a new coopkit password",
                      f"Hello {user.name},\n\nSomeone asked to reset the password of your coopkit account.\n"
                      f"To choose a new password, open this link within {settings.password_reset_minutes} "
                      f"minutes:\n\n{link}\n\nIf it wasn't you, ignore this email: nothing changes.\n")
        flash(RESET_SENT.format(minutes=settings.password_reset_minutes), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@requires("public")
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash("That reset link has expired, was already used, or is not valid. Ask for a new one.", "error")
        return redirect(url_for("accounts.reset_request"))
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        _start_session(user)
        flash("Your new password is set.", "success")
        return redirect(url_for("coops.index"))
    return render_template("accounts/reset_password.html", form=form)
