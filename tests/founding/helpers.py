"""Shared set-up for the founding journey's tests."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.extensions import db

#: complete, valid answers for every question step (a society, collective management)
COMPLETE_ANSWERS = {
    "purpose": {"coop_name": "Northern Pixels Co-operative Limited",
                "objects": "To carry on a digital design business run by its workers.", "welsh_office": "no"},
    "legal_form": {"wants_member_shares": "yes", "wants_model_rules": "yes", "legal_form": "society"},
    "membership": {"membership_eligibility": "Anyone employed by the co-op", "probation": "period",
                   "probation_months": "6", "probation_hours": "", "share_value_pence": "1",
                   "max_holding_pence": "1", "leaving_notice_days": "28", "leave_on_employment_end": "yes", "admission_by": "directors",
                   "expulsion_notice_days": "14", "non_voting_class": "no"},
    "decisions": {"quorum_min_members": "2", "quorum_percent": "50", "notice_clear_days": "14",
                  "short_notice_percent": "90", "ordinary_threshold_percent": "50", "ordinary_basis": "cast",
                  "special_threshold_percent": "75", "special_basis": "cast", "everyday_method": "consent",
                  "fallback_vote": "yes", "consent_min_days": "7", "written_resolutions": "yes",
                  "written_resolution_days": "28", "electronic_voting": "yes", "electronic_meetings": "yes",
                  "secondary_rules": "yes", "proxies": "no"},
    "management": {"management": "collective", "min_directors": "2"},
    "money": {"surplus_reserves_percent": "40", "surplus_common_good_percent": "10",
              "surplus_bonus_percent": "50", "bonus_basis": "hours", "dissolution": "asset_lock",
              "asset_lock_recipient": "Another co-operative chosen by the members", "borrowing_limit_pence": "250000"},
    "registration": {"registered_office": "1 Secret Yard, Preston PR1 1AA", "financial_year_end": "31-03",
                     "main_contact": "Asha, asha@example.org", "finance_contact": "Ben, ben@example.org",
                     "business_description": "Web design and development for clients.",
                     "member_benefit": "Fair pay and a share of the surplus.",
                     "member_participation": "Every member works in the co-op.",
                     "member_control": "One member one vote at general meetings.",
                     "profit_use": "Reserves, a common-good fund and a bonus by hours.",
                     "funding": "Members' shares and client income."},
}


def founding_team(make, n: int = 3, cohort_mentor=None):
    """A forming co-op with ``n`` founders (users), optionally in a cohort with a mentor."""
    users = [make.user(name=f"Founder {i + 1}") for i in range(n)]
    coop = make.coop(users[0])
    for user in users[1:]:
        make.member(coop, user, status="founder")
    if cohort_mentor is not None:
        make.cohort(coops=(coop,), mentors=(cohort_mentor,))
    return coop, users


def founder_ids(app, coop) -> list[int]:
    from coopkit.coops.models import Member

    with app.app_context():
        return list(db.session.execute(
            sa.select(Member.id).where(Member.coop_id == coop.id, Member.status == "founder").order_by(Member.id)
        ).scalars())


def post_step(client, coop, step_key, data):
    return client.post(f"/c/{coop.slug}/founding/steps/{step_key}", data=data)
