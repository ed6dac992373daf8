"""The proposal form and the draft it makes: filling the form from a proposal, a failed consent
decision's fallback or a rule-set upgrade, and saving it (through services). Used by the new and
edit pages in coopkit.proposals.views."""

from __future__ import annotations

from flask import flash, g, request, url_for
from flask_login import current_user

from coopkit.coops.parameters import PARAMETERS
from coopkit.money import format_pence
from coopkit.proposals import forms, kinds, queries, services
from coopkit.proposals.changes import ChangeError, parse_value
from coopkit.proposals.timefmt import from_uk, to_uk
from coopkit.rules.facts import upgrade_proposal


def _draft_from_form(form) -> services.Draft:
    changes = {}
    for i in range(1, forms.CHANGE_ROWS + 1):
        key = form[f"change_{i}_key"].data
        if not key:
            continue
        try:
            changes[key] = parse_value(key, form[f"change_{i}_value"].data)
        except ChangeError as exc:
            raise _FieldError(f"change_{i}_value", str(exc)) from None
    return services.Draft(
        title=form.title.data, body=form.body.data or "", resolution_text=form.resolution_text.data or "",
        kind=form.kind.data or None, subject_member_id=form.subject.data or None, preset=form.preset.data, threshold_percent=form.threshold_percent.data,
        basis=form.basis.data, options=(form.options.data or "").splitlines(), seats=form.seats.data or 1,
        ranking=form.ranking.data, secret=form.secret.data, allow_early_close=form.allow_early_close.data,
        closes_at=from_uk(form.closes_at.data) if form.closes_at.data else None, rule_changes=changes)


class _FieldError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def fill_form(form, proposal) -> None:
    form.title.data, form.body.data = proposal.title, proposal.body
    form.resolution_text.data, form.kind.data = proposal.resolution_text, proposal.kind
    form.subject.data = proposal.subject_member_id or 0
    form.preset.data = "custom" if proposal.preset == "custom" else "ordinary"
    form.threshold_percent.data, form.basis.data = proposal.threshold_percent, proposal.basis
    form.options.data = "\n".join(proposal.options)
    form.seats.data, form.ranking.data = proposal.seats, proposal.ranking
    form.secret.data, form.allow_early_close.data = proposal.secret, proposal.allow_early_close
    form.closes_at.data = to_uk(proposal.closes_at).replace(tzinfo=None) if proposal.closes_at else None
    for i, (key, value) in enumerate(sorted(proposal.rule_changes.items()), start=1):
        if i <= forms.CHANGE_ROWS:
            form[f"change_{i}_key"].data = key
            form[f"change_{i}_value"].data = _show_value(key, value)


def _show_value(key, value) -> str:
    kind = PARAMETERS[key][0]
    if kind == "pence":
        return format_pence(value)
    if kind == "bool":
        return "yes" if value else "no"
    return str(value)


def fill_fallback(form, rules) -> None:
    """A new proposal's kind; when it is the vote a failed consent decision falls back to
    (?fallback=<number>), its title and words are carried over."""
    offered = {k.key for k in rules["offered"]}
    wanted = request.args.get("kind", "")
    form.kind.data = wanted if wanted in offered else (rules["offered"][0].key if rules["offered"] else None)
    number = request.args.get("fallback", type=int)
    earlier = queries.proposal_by_number(g.coop, number) if number else None
    if earlier is not None and earlier.state == "closed":
        form.title.data = earlier.title
        form.body.data = earlier.body
        form.resolution_text.data = earlier.resolution_text


def offer_kinds(form) -> dict:
    """The kinds and members the form offers; returns what the page says about the rules."""
    offered = kinds.available(g.coop, "writing")
    form.kind.choices = forms.choices([(k.key, f"{k.name[:1].upper()}{k.name[1:]} ({k.citation})")
                                       for k in offered])
    form.subject.choices = forms.choices([(0, "Nobody (not about one member)")] + [
        (m.id, f"{m.full_name}{' (applicant)' if m.status == 'applicant' else ''}")
        for m in queries.members_for_subject(g.coop)])
    meeting_only = [k for k in kinds.kinds_of(g.coop).values() if k.at_meeting and not k.in_writing]
    return {"offered": offered, "meeting_only": meeting_only}


def save(form, proposal=None):
    """Validate and save the proposal form; returns the proposal or None (errors on the form)."""
    if not form.validate_on_submit():
        return None
    try:
        draft = _draft_from_form(form)
        if proposal is None:
            return services.create_proposal(g.coop, current_user, draft)
        services.update_draft(proposal, g.coop, current_user, draft)
        return proposal
    except _FieldError as exc:
        form[exc.field].errors.append(str(exc))
    except services.ProposalError as exc:
        form.form_errors.append(str(exc))
    return None


def prefill_upgrade(form) -> None:
    """Start a proposal to adopt the rule set's newer version (the rules pages link here)."""
    words = upgrade_proposal(g.coop, url_for("rules.upgrade", _external=True))
    if words is None:
        flash("Your rules already use the newest version of their rule set.", "info")
        return
    form.title.data, form.body.data = words["title"], words["body"]
    form.resolution_text.data, form.kind.data = words["resolution_text"], "written_special"
    form.preset.data = "ordinary"
    form.change_1_key.data, form.change_1_value.data = words["change_key"], words["change_value"]
