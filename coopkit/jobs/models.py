from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coopkit.database import utcnow
from coopkit.extensions import db


class FailedJob(db.Model):
    """A job whose retries ran out, kept so the platform admin can see it and run it again."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the huey task's name, e.g. coopkit.jobs.mail.deliver_mail
    task_name: Mapped[str] = mapped_column(sa.String(200))
    #: what the job was, for the admin: counts and ids only, never an address
    description: Mapped[str] = mapped_column(sa.String(300))
    #: the last error's kind (an exception class name) and our own message, no personal data
    error: Mapped[str] = mapped_column(sa.String(300))
    #: the serialized huey task (what is needed to run it again)
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set when the admin ran it again; the row stays as a record
    retried_at: Mapped[datetime | None]
    retried_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))



class DocumentJob(db.Model):
    """A large PDF rendered by the job queue for the person who asked for it. The PDF itself
    lands in the PDF cache (cached_documents) under ``sha256``."""

    __tablename__ = "document_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the unguessable id in the progress page's address
    token: Mapped[str] = mapped_column(sa.String(43), unique=True)
    coop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: which document: a name registered with coopkit.jobs.documents.document_kind
    kind: Mapped[str] = mapped_column(sa.String(60))
    #: the document's options as JSON (e.g. the date a register is as at)
    params: Mapped[str] = mapped_column(sa.Text, default="{}")
    #: the name the PDF downloads as
    filename: Mapped[str] = mapped_column(sa.String(200))
    #: queued, running, done or failed
    state: Mapped[str] = mapped_column(sa.String(10), default="queued")
    #: the PDF cache key of the result, once done
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    #: why it failed (the error's kind only)
    error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
