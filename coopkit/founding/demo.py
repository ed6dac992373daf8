"""Demo data for the founding journey.

northern-pixels: half-way (team, purpose and legal form agreed; membership answered but
not yet agreed, with an open mentor comment; decision-making partly answered).
preston-digital (registered): the whole journey, so its rules can be generated from it.
"""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.coops.models import Member
from coopkit.extensions import db
from coopkit.founding import services
from coopkit.founding.catalogue import catalogue
from coopkit.founding.comments import start_thread
from coopkit.founding.queries import founding_groups

PRESTON_ANSWERS = {
    "purpose": {"coop_name": "Preston Digital Co-operative Limited", "welsh_office": "no",
                "objects": "To carry on the business of designing and building websites, apps and digital "
                           "services, as a co-operative owned and controlled by the people who work in it."},
    "legal_form": {"wants_member_shares": "yes", "wants_model_rules": "yes", "legal_form": "society"},
    "membership": {"membership_eligibility": "Anyone employed by the co-op for at least 16 hours a week who "
                                             "supports its objects", "probation": "period",
                   "probation_months": "6", "share_value_pence": "1", "max_holding_pence": "1",
                   "leaving_notice_days": "28", "leave_on_employment_end": "yes", "admission_by": "directors", "expulsion_notice_days": "14",
                   "non_voting_class": "no"},
    "decisions": {"quorum_min_members": "2", "quorum_percent": "50", "notice_clear_days": "14",
                  "short_notice_percent": "90", "ordinary_threshold_percent": "50", "ordinary_basis": "cast",
                  "special_threshold_percent": "75", "special_basis": "cast", "everyday_method": "consent",
                  "fallback_vote": "yes", "consent_min_days": "7", "written_resolutions": "yes",
                  "written_resolution_days": "28", "electronic_voting": "yes", "electronic_meetings": "yes",
                  "proxies": "yes", "proxy_limit": "2", "secondary_rules": "yes"},
    "management": {"management": "collective", "min_directors": "2"},
    "money": {"surplus_reserves_percent": "40", "surplus_common_good_percent": "10", "surplus_bonus_percent": "50",
              "bonus_basis": "hours", "dissolution": "asset_lock",
              "asset_lock_recipient": "Another co-operative, or a body promoting co-operation, chosen by the members",
              "borrowing_limit_pence": "250000"},
    "registration": {"registered_office": "Unit 4, 10 Fishergate, Preston PR1 2UR", "financial_year_end": "31-03",
                     "main_contact": "Dana Hughes, dana@preston-digital.example",
                     "finance_contact": "Eli Morgan, eli@preston-digital.example",
                     "business_description": "Web and app design and development for charities, councils and "
                                             "small businesses in Lancashire.",
                     "member_benefit": "Secure, fairly paid work, and a share of the surplus by hours worked.",
                     "member_participation": "Every member works in the co-op and takes part in its decisions.",
                     "member_control": "One member, one vote at general meetings; every member is a director.",
                     "profit_use": "Reserves first, then a common-good fund and a bonus to members by hours worked.",
                     "funding": "Members' £1 shares, client income and, if needed, loans from co-op lenders."},
}

NORTHERN_PIXELS_ANSWERS = {
    "purpose": {"coop_name": "Northern Pixels Co-operative Limited", "welsh_office": "no",
                "objects": "To run a digital design and development studio owned and run by its workers."},
    "legal_form": {"wants_member_shares": "yes", "wants_model_rules": "yes", "legal_form": "society"},
    "membership": {"membership_eligibility": "Anyone employed by the co-op", "probation": "none",
                   "share_value_pence": "1", "max_holding_pence": "1", "leaving_notice_days": "28",
                   "leave_on_employment_end": "yes", "admission_by": "directors", "expulsion_notice_days": "14", "non_voting_class": "no"},
    "decisions": {"quorum_min_members": "2", "quorum_percent": "50", "notice_clear_days": "14",
                  "everyday_method": "consent"},
}


def _founders(coop) -> list[tuple[Member, object]]:
    return [tuple(r) for r in db.session.execute(
        sa.select(Member, User).join(User, User.id == Member.user_id)
        .where(Member.coop_id == coop.id, Member.status == "founder").order_by(Member.id)
    ).all()]


def _northern_pixels(ctx) -> None:
    coop = ctx.northern_pixels
    founders = _founders(coop)
    first = founders[0][1]
    for _, user in founders:
        services.sign_off(coop, "team", user)
    for step_key, answers in NORTHERN_PIXELS_ANSWERS.items():
        services.save_step(coop, step_key, answers, first)
    for step_key in ("purpose", "legal_form"):
        for _, user in founders:
            services.sign_off(coop, step_key, user)
    start_thread(coop, "membership", "No probation is a bold choice. How will you and a new worker both find out "
                 "whether membership suits them? Many co-ops use six months. Have a look and tell me what you think.",
                 ctx.mentor, by_mentor=True)


def _preston_digital(ctx) -> None:
    coop = ctx.preston_digital
    secretary_member = ctx.secretary
    secretary = ctx.users[secretary_member.email]
    answers = {k: dict(v) for k, v in PRESTON_ANSWERS.items()}
    answers["management"]["secretary_member_id"] = str(secretary_member.id)
    for step_key, step_answers in answers.items():
        services.save_step(coop, step_key, step_answers, secretary)

    group = founding_groups([coop.id])[coop.id]
    members = {m.id: m for m in db.session.execute(sa.select(Member).where(Member.id.in_(group))).scalars()}
    for step_key in ("team", "purpose", "legal_form", "membership", "decisions", "management", "money"):
        for member_id in group:
            member = members[member_id]
            services.record_past_signoff(coop, step_key, member, ctx.users[member.email])
    for slot, (name, born, address) in enumerate([
        ("Dana Hughes", "1998-05-14", "14 Fishergate, Preston PR1 2AD"),
        ("Eli Morgan", "1999-11-02", "3 Friargate, Preston PR1 2EE"),
    ], start=1):
        services.save_private_details(coop, slot, {"full_name": name, "date_of_birth": born, "address": address,
                                                   "years_at_address": "3", "months_at_address": "0"}, secretary)
    for item in catalogue().checklist:
        services.set_checklist_item(coop, item.key, True, secretary)


def seed(ctx) -> None:
    _northern_pixels(ctx)
    _preston_digital(ctx)
