"""Writes for public profiles and buyer packs. Each function flushes; the request commits."""

from __future__ import annotations

import logging
import secrets
from datetime import date

from coopkit.audit.services import record
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.directory import facts as factlib
from coopkit.directory import queries
from coopkit.directory.models import BuyerPack, PublicProfile
from coopkit.extensions import db

log = logging.getLogger("coopkit.directory")

#: what a profile's typed fields may hold (characters)
LIMITS = {"description": 2000, "services": 1000, "areas": 500, "contact_name": 120, "contact_email": 254,
          "website": 300}


class DirectoryError(ValueError):
    """A change the directory refuses, with a message for the secretary."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _profile(coop) -> PublicProfile:
    profile = queries.profile_of(coop)
    if profile is None:
        profile = PublicProfile(coop_id=coop.id)
        db.session.add(profile)
    return profile


def save_profile(coop, actor, *, description: str, services: str, areas: str, contact_name: str,
                 contact_email: str, website: str, workers: int | None, workers_as_at: date | None,
                 private_emails: set[str]) -> PublicProfile:
    """Save the typed parts of the profile (published or not).

    Changes: creates or updates the co-op's PublicProfile; audit ``profile.updated`` with the
    names of the fields that changed. Refuses a member's own email as the public contact."""
    if (workers is None) != (workers_as_at is None):
        raise DirectoryError("Give the number of workers together with the date it is for.", "workers_as_at")
    if workers_as_at is not None and workers_as_at > date.today():
        raise DirectoryError("The date of the workers figure cannot be in the future.", "workers_as_at")
    if contact_email and contact_email.strip().lower() in private_emails:
        raise DirectoryError("That is a member's own email address. Give a shared address for the co-op "
                             "(such as hello@...) so no member's personal details are published.",
                             "contact_email")
    if website and not website.startswith(("https://", "http://")):
        raise DirectoryError("Give the website as a full address starting with https://", "website")
    profile = _profile(coop)
    values = {"description": description.strip(), "services": services.strip(), "areas": areas.strip(),
              "contact_name": contact_name.strip(), "contact_email": contact_email.strip(),
              "website": website.strip(), "workers": workers, "workers_as_at": workers_as_at}
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            raise DirectoryError(f"Keep this to {limit} characters.", key)
    changed = sorted(key for key, value in values.items() if getattr(profile, key, None) != value)
    for key, value in values.items():
        setattr(profile, key, value)
    profile.updated_at = utcnow()
    db.session.flush()
    if changed:
        record("profile.updated", coop=coop, actor=actor, subject=profile,
               data={"fields": changed, "published": bool(profile.published)})
    return profile


def publish(coop, actor) -> PublicProfile:
    """Switch the public profile on. Changes: PublicProfile.published, published_at; audit
    ``profile.published`` with the facts' hash as shown at that moment."""
    if coop.stage != "registered":
        raise DirectoryError("Only a registered co-op can publish a profile: buyers check the registration.")
    profile = queries.profile_of(coop)
    if profile is None or not profile.description or not profile.service_list:
        raise DirectoryError("Say what the co-op does and list at least one service before publishing.")
    if profile.published:
        return profile
    profile.published = True
    profile.published_at = utcnow()
    db.session.flush()
    facts = queries.compute_facts(coop, profile)
    record("profile.published", coop=coop, actor=actor, subject=profile,
           data={"facts_hash": factlib.facts_hash(facts)})
    log.info("Profile of co-op %s published", coop.id)
    return profile


def unpublish(coop, actor) -> PublicProfile | None:
    """Switch the public profile off at once. Changes: PublicProfile.published; audit
    ``profile.unpublished``. Packs issued before then say so when checked."""
    profile = queries.profile_of(coop)
    if profile is None or not profile.published:
        return profile
    profile.published = False
    db.session.flush()
    record("profile.unpublished", coop=coop, actor=actor, subject=profile)
    log.info("Profile of co-op %s switched off", coop.id)
    return profile


def _new_code() -> str:
    raw = "".join(secrets.choice(queries.CODE_ALPHABET) for _ in range(12))
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def issue_pack(coop, actor, signed_by_name: str) -> BuyerPack:
    """Issue a buyer pack: freeze today's facts, their hash and the audit head.

    Changes: adds a BuyerPack with a new random code; audit ``buyer_pack.issued``."""
    profile = queries.profile_of(coop)
    if profile is None or not profile.published or coop.stage != "registered":
        raise DirectoryError("Publish the profile first: a buyer checks the pack's code against it.")
    facts = queries.compute_facts(coop, profile)
    seq, head = queries.audit_head(coop)
    canonical = factlib.canonical(facts)
    for _ in range(5):
        pack = BuyerPack(coop_id=coop.id, code=_new_code(), facts=canonical, facts_hash=factlib.facts_hash(facts),
                         audit_seq=seq, audit_head=head, signed_by_name=signed_by_name,
                         issued_by_id=getattr(actor, "id", None), issued_at=utcnow())
        if add_unless_duplicate(pack):
            break
    else:  # five random 60-bit codes all taken: not going to happen, but never a 500
        raise DirectoryError("Could not make a unique code just now; try again.")
    record("buyer_pack.issued", coop=coop, actor=actor, subject=pack,
           data={"facts_hash": pack.facts_hash, "audit_seq": seq})
    log.info("Buyer pack %s issued for co-op %s", pack.id, coop.id)
    return pack
