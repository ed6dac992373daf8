from __future__ import annotations

import math
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

from coopkit.accounts import forms, services, throttle
from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.extensions import limiter
from coopkit.mail import send_mail
from coopkit.web import external_url

bp = Blueprint("accounts", __name__)


def _is_local(target: str) -> bool:
    parts = urlsplit(target or "")
    return bool(target) and target.startswith("/") and not target.startswith("//") \
        and not parts.netloc and not parts.scheme and "\\" not in target


def _safe_next(default: str) -> str:
    target = request.args.get("next") or request.form.get("next") or ""
    return target if _is_local(target) else default


def _start_session(user, remember: bool = False) -> None:
    # A fresh session at log-in: nothing from before (e.g. a planted id) carries over.
    session.clear()
    login_user(user, remember=remember)


SIGNUP_SENT = ("We have sent a message to {email}. Open the link in it to finish creating your account "
               "(it works for {hours} hours). Nothing there? Check your spam folder, or sign up again.")


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@requires("public")
def signup():
    """The same answer for a new and a known address: a new one gets the link that finishes
    the sign-up, a known one a note that someone tried to sign up with it."""
    if current_user.is_authenticated:
        return redirect(url_for("coops.index"))
    form = forms.SignupForm(email=request.args.get("email", ""))
    if form.validate_on_submit():
        _send_signup_mail(form.email.data, form.name.data, _safe_next(""))
        session["signup_sent_to"] = form.email.data
        return redirect(url_for("accounts.signup_sent"))
    return render_template("accounts/signup.html", form=form, next=_safe_next(""))


def _send_signup_mail(email: str, name: str, next_url: str) -> None:
    base = current_app.extensions["coopkit.settings"].base_url.rstrip("/")
    user = services.find_by_email(email)
    if user is None:
        link = base + url_for("accounts.finish_signup", token=services.make_signup_token(email, name, next_url))
        subject = "Finish creating your coopkit account"
        body = (f"Hello {name},\n\nTo finish creating your coopkit account, open this link within "
                f"{services.SIGNUP_LINK_HOURS} hours and choose a password:\n\n{link}\n\n"
                "If you did not ask for an account, ignore this email: nothing is created.\n")
    else:
        subject = "Someone tried to sign up with your address"
        body = (f"Hello {user.name},\n\nSomeone tried to create a coopkit account with this address, "
                "which already has one. If it was you, log in instead:\n\n"
                f"{base + url_for('accounts.login')}\n\nForgotten your password? Choose a new one here:\n\n"
                f"{base + url_for('accounts.reset_request')}\n\n"
                "If it wasn't you, ignore this email: your account has not changed.\n")
    send_mail(email, subject, body)  # sent after the commit; the answer is the same either way


@bp.route("/signup/sent")
@requires("public")
def signup_sent():
    settings_hours = services.SIGNUP_LINK_HOURS
    email = session.get("signup_sent_to") or "your address"
    return render_template("accounts/signup_sent.html",
                           message=SIGNUP_SENT.format(email=email, hours=settings_hours))


@bp.route("/signup/<token>", methods=["GET", "POST"])
@requires("public")
def finish_signup(token: str):
    pending = services.read_signup_token(token)
    if pending is None:
        flash("That sign-up link has expired or is not valid. Sign up again for a new one.", "error")
        return redirect(url_for("accounts.signup"))
    if services.find_by_email(pending["e"]) is not None:
        flash("This address already has an account. Log in, or reset its password.", "info")
        return redirect(url_for("accounts.login"))
    form = forms.FinishSignupForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(pending["e"], pending["n"], form.password.data)
        except services.AccountError:
            flash("This address already has an account. Log in, or reset its password.", "info")
            return redirect(url_for("accounts.login"))
        _start_session(user)
        flash("Welcome to coopkit. Your account is ready.", "success")
        target = pending["next"]
        return redirect(target if _is_local(target) else url_for("coops.index"))
    return render_template("accounts/finish_signup.html", form=form, email=pending["e"], name=pending["n"])


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
        email = form.email.data
        waiting = _account_wait(email, services.find_by_email(email))
        if waiting:
            form.password.errors.append(waiting)
            return render_template("accounts/login.html", form=form, next=_safe_next("")), 429
        user = services.authenticate(email, form.password.data)
        if user is not None:
            throttle.succeeded(email)
            _start_session(user, remember=form.remember.data)
            response = redirect(_safe_next(url_for("coops.index")))
            throttle.remember_device(response, user.id)
            return response
        throttle.failed(email)
        form.password.errors.append("That email and password don't match an account.")
    return render_template("accounts/login.html", form=form, next=_safe_next(""))


def _account_wait(email: str, user) -> str | None:
    """The message when the account must wait before another password attempt (None: go on).
    The same for an address with no account; a browser the owner logged in from skips it."""
    seconds = throttle.wait_seconds(email)
    if not seconds or throttle.known_device(user.id if user is not None else None):
        return None
    wait = f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
    return (f"Too many wrong passwords for this account: wait {wait} before trying again, "
            "or reset the password.")


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


def _check_current_password(user, password: str, field) -> bool:
    """Re-authentication (change password, change email): limited like log-in, per address
    (the view's limit) and per account (throttle). Puts the message on ``field``."""
    waiting = _account_wait(user.email, user)
    if waiting:
        field.errors.append(waiting)
        return False
    if not user.check_password(password):
        throttle.failed(user.email)
        field.errors.append("Your current password is not right.")
        return False
    throttle.succeeded(user.email)
    return True


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"], deduct_when=_failed_login)
@requires("account")
def change_password():
    form = forms.ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit() and _check_current_password(user, form.current.data, form.current):
        services.set_new_password(user, form.password.data)
        # The password generation changed: start a fresh session for this device only.
        _start_session(user)
        flash("Your password is changed. Other devices have been logged out.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account/email", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"], deduct_when=_failed_login)
@requires("account")
def change_email():
    """Step one: the new address and the current password; the change waits for the link
    sent to the new address (so a typo or a stolen session can't move the account away)."""
    form = forms.ChangeEmailForm()
    user = current_user._get_current_object()
    if form.validate_on_submit() and _check_current_password(user, form.current.data, form.current):
        if form.email.data == user.email:
            form.email.errors.append("That is already your address.")
        else:
            base = current_app.extensions["coopkit.settings"].base_url.rstrip("/")
            link = base + url_for("accounts.confirm_email", token=services.make_email_token(user, form.email.data))
            send_mail(form.email.data, "Confirm your new coopkit address",
                      f"Hello {user.name},\n\nTo use this address for your coopkit account, open this link "
                      f"within {services.EMAIL_LINK_HOURS} hours and confirm:\n\n{link}\n\n"
                      "If you did not ask for this, ignore this email: nothing changes.\n")
            flash(f"We have sent a link to {form.email.data}. Your address changes when you open it.", "info")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_email.html", form=form)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
@requires("public")
def confirm_email(token: str):
    """Step two, from the link: a button (a GET never writes) that makes the change."""
    change = services.read_email_token(token)
    if change is None:
        flash("That confirmation link has expired, was already used, or is not valid.", "error")
        return redirect(url_for("coops.landing"))
    user, new_email = change
    form = EmptyForm()
    if form.validate_on_submit():
        old_email = user.email
        try:
            services.change_email(user, new_email)
        except services.AccountError as exc:
            flash(str(exc), "error")
            return redirect(url_for("coops.landing"))
        send_mail(old_email, "Your coopkit address has changed",
                  f"Hello {user.name},\n\nYour coopkit account now uses {new_email} instead of this "
                  "address. If you did not make this change, reset your password straight away and "
                  "tell the co-op's secretary.\n")
        flash(f"Your account now uses {new_email}.", "success")
        return redirect(url_for("coops.landing"))
    return render_template("accounts/confirm_email.html", form=form, new_email=new_email, user=user)


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
