"""What other features read about the rules in force: the terms the registers must follow,
the company filings a rules change calls for, and whether the co-op's rule set has moved on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.rules import render
from coopkit.rules.models import RulesVersion
from coopkit.rules.queries import governing_version
from coopkit.rules.ruleset import (
    RegisterTerms,
    Release,
    RuleSet,
    RuleSetError,
    changes_since,
    default_ruleset_for,
    load_ruleset,
)


@dataclass(frozen=True)
class CoopRegisterTerms:
    """The register terms of the co-op's rules in force, with the clause numbers to cite."""

    terms: RegisterTerms
    #: "clause 13" / "article 13", or "" when the co-op has no rules in force yet
    transfer_citation: str = ""
    withdrawal_citation: str = ""

    @property
    def share_capital(self) -> bool:
        return self.terms.share_capital

    @property
    def shares_transferable(self) -> bool:
        return self.terms.shares_transferable

    @property
    def withdrawal_notice_months(self) -> int:
        return self.terms.withdrawal_notice_months


def _ruleset_of(coop, version: RulesVersion | None) -> RuleSet | None:
    try:
        if version is not None:
            return load_ruleset(version.ruleset_id)
        return default_ruleset_for(getattr(coop, "legal_form", None))
    except RuleSetError:
        return None


def register_terms(coop) -> CoopRegisterTerms:
    """What the registers must enforce under the co-op's rules in force. Two statements at most."""
    version = governing_version(coop)
    ruleset = _ruleset_of(coop, version) if version is not None else None
    if ruleset is None:
        # No rules in force yet (still forming, or a register brought from elsewhere): only the
        # law's own limits apply until rules are adopted.
        return CoopRegisterTerms(RegisterTerms(share_capital=getattr(coop, "legal_form", None) != "company",
                                               shares_transferable=True, withdrawal_notice_months=0,
                                               member_keeps_one_share=False))
    terms = ruleset.register
    if getattr(coop, "legal_form", None) == "company" and terms.share_capital:
        terms = RegisterTerms(share_capital=False)
    citations = {}
    if version is not None:
        word = "article" if ruleset.legal_form == "company" else "clause"
        numbers = {entry.id: entry.number for entry in render.outline_of(version)}
        for name, clause in (("transfer", terms.transfer_clause), ("withdrawal", terms.withdrawal_clause)):
            if clause in numbers:
                citations[name] = f"{word} {numbers[clause]}"
    return CoopRegisterTerms(terms, citations.get("transfer", ""), citations.get("withdrawal", ""))


# --- company filings ------------------------------------------------------------------------

#: days after the resolution within which a company files amended articles (Companies Act 2006 s.26)
ARTICLES_FILING_DAYS = 15


@dataclass(frozen=True)
class ArticlesToFile:
    """Amended articles in force but not yet recorded as filed at Companies House."""

    version_number: int
    #: the day the members passed the resolution: the articles took effect then
    resolution_on: date
    #: the last day to file (the calendar computes its own reminders from resolution_on)
    file_by: date


def articles_to_file(coop) -> list[ArticlesToFile]:
    """A registered company's adopted amendments not yet filed, oldest first; one statement.
    For a society nothing is listed: its amendments take effect only on registration."""
    if getattr(coop, "legal_form", None) != "company" or getattr(coop, "stage", None) != "registered":
        return []
    from datetime import timedelta

    rows = db.session.execute(
        sa.select(RulesVersion.number, RulesVersion.adopted_on)
        .where(RulesVersion.coop_id == coop.id, RulesVersion.status == "adopted",
               RulesVersion.adopted_by_proposal_id.is_not(None), RulesVersion.adopted_on.is_not(None))
        .order_by(RulesVersion.number)
    ).all()
    return [ArticlesToFile(number, on, on + timedelta(days=ARTICLES_FILING_DAYS)) for number, on in rows]


# --- rule-set upgrades ----------------------------------------------------------------------

@dataclass(frozen=True)
class Upgrade:
    """The co-op's rule set has a newer version than the one its rules in force were made from."""

    ruleset: RuleSet
    from_version: str
    releases: tuple[Release, ...]
    base: RulesVersion


def upgrade_available(coop) -> Upgrade | None:
    """For a registered co-op: the newer releases of its rule set since its rules in force were
    made, or None. One statement."""
    if getattr(coop, "stage", None) != "registered":
        return None
    version = governing_version(coop)
    if version is None:
        return None
    ruleset = _ruleset_of(coop, version)
    if ruleset is None:
        return None
    releases = changes_since(ruleset, version.ruleset_version)
    if not releases:
        return None
    return Upgrade(ruleset, version.ruleset_version, tuple(releases), version)


@dataclass(frozen=True)
class UpgradePreview:
    """What the rules in force would say if redrawn from the newer rule-set version (nothing saved)."""

    upgrade: Upgrade
    changes: list
    parameter_lines: list[str]


def upgrade_preview(coop) -> UpgradePreview | None:
    """The clause-by-clause diff between the rules in force and the same answers drawn from the
    rule set's newest version; None when there is no newer version."""
    import json

    from coopkit.rules import diff

    upgrade = upgrade_available(coop)
    if upgrade is None:
        return None
    params = json.loads(upgrade.base.parameters)
    document = render.render_document(upgrade.ruleset, params)
    changes = diff.clause_diff(upgrade.base.text, document.markdown)
    lines = [f"{message}" for _, message in document.values.problems]
    return UpgradePreview(upgrade, changes, lines)


def upgrade_proposal(coop, diff_url: str = "") -> dict | None:
    """The words of a proposal to adopt the upgrade as an amendment (a special resolution that
    changes "ruleset_version"), for the proposals feature to prefill; None without an upgrade."""
    upgrade = upgrade_available(coop)
    if upgrade is None:
        return None
    target = upgrade.ruleset.version
    lines = [f"Our rules were drawn from {upgrade.ruleset.title} version {upgrade.from_version}. Version {target} "
             "changes the wording as follows:", ""]
    for release in upgrade.releases:
        lines += [f"Version {release.version}:"] + [f"- {change}" for change in release.changes] + [""]
    if diff_url:
        lines.append(f"Every changed clause, word by word: {diff_url}")
    if upgrade.releases[0].note:
        lines += ["", upgrade.releases[0].note]
    kind = "Articles" if upgrade.ruleset.legal_form == "company" else "Rules"
    return {
        "title": f"Adopt version {target} of our {kind.lower()}",
        "body": "\n".join(lines).strip(),
        "resolution_text": f"That the {kind} are amended by redrawing them from {upgrade.ruleset.title} version "
                           f"{target}, keeping every choice the members have made, as set out in the changes "
                           "circulated with this resolution.",
        "change_key": "ruleset_version",
        "change_value": target,
    }
