"""The secretary's form to enter and correct an appointment in the register of officers: a
director's particulars (Companies Act 2006 ss.162-163; a society's officers likewise), the name
of an officer who is not a member, and the dates. Every change is kept with its old value."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from coopkit.coops.policy import requires
from coopkit.extensions import db
from coopkit.register import forms, queries, services
from coopkit.register.blueprint import bp
from coopkit.register.officers import ParticularsError


def _appointment_or_404(officer_id: int):
    found = queries.officer_in_coop(g.coop, officer_id)
    if found is None:
        abort(404)
    return found


@bp.route("/officers/<int:officer_id>/particulars", methods=["GET", "POST"])
@requires("register.manage")
def officer_particulars(officer_id: int):
    officer, member = _appointment_or_404(officer_id)
    form = forms.OfficerParticularsForm(obj=officer if request.method == "GET" else None)
    if request.method == "GET" and member is not None and officer.date_of_birth is None:
        form.date_of_birth.data = member.date_of_birth  # offered from the entry; saved only when the form is
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            fields = [f for f in services.PARTICULARS if f != "person_name" or member is None]
            if officer.ceased_on is None:
                fields.remove("ceased_on")
            changes = {f: getattr(form, f).data for f in fields}
            try:
                with db.session.begin_nested():
                    changed = services.set_particulars(officer, changes, actor=current_user, reason=form.reason.data)
            except ParticularsError as exc:
                getattr(form, exc.field).errors.append(str(exc))
            else:
                flash("The register of officers is updated; the old values are kept in the history."
                      if changed else "Nothing changed.", "success" if changed else "info")
                return redirect(url_for("register.officer_particulars", officer_id=officer.id))
    name = member.full_name if member is not None else officer.person_name
    return render_template("register/officer_particulars.html", officer=officer, member=member, name=name,
                           form=form, history=queries.officer_amendments(officer),
                           labels=services.OFFICE_LABELS, private=services.PRIVATE_PARTICULARS), status
