"""SQLAlchemy models: people and organisations, documents and sharing, the update log."""

from __future__ import annotations

from wiki.storage.models.audit import AuditEvent, BreakGlass
from wiki.storage.models.discussion import Comment, CommentKind, CommentStatus, Reply
from wiki.storage.models.documents import (
    Document,
    DocumentKind,
    FormerSlug,
    Level,
    Share,
    Visibility,
)
from wiki.storage.models.history import (
    AttributionCheckpoint,
    Checkpoint,
    ClientAssignment,
    Revision,
    UpdateRecord,
)
from wiki.storage.models.notify import (
    Mail,
    MailKind,
    MailStatus,
    NoticeKind,
    Notification,
    NotifySettings,
    Watch,
)
from wiki.storage.models.people import LoginSession, Organisation, OrgKind, Person, Role
from wiki.storage.models.plans import (
    Commitment,
    Consent,
    Milestone,
    Partner,
    Phase,
    Plan,
    Reopening,
    SignOff,
    Status,
)
from wiki.storage.models.progress import Progress, ProgressUpdate

__all__ = [
    "AttributionCheckpoint",
    "AuditEvent",
    "BreakGlass",
    "Checkpoint",
    "ClientAssignment",
    "Comment",
    "CommentKind",
    "CommentStatus",
    "Commitment",
    "Consent",
    "Document",
    "DocumentKind",
    "FormerSlug",
    "Level",
    "LoginSession",
    "Mail",
    "MailKind",
    "MailStatus",
    "Milestone",
    "NoticeKind",
    "Notification",
    "NotifySettings",
    "OrgKind",
    "Organisation",
    "Partner",
    "Person",
    "Phase",
    "Plan",
    "Progress",
    "ProgressUpdate",
    "Reopening",
    "Reply",
    "Revision",
    "Role",
    "Share",
    "SignOff",
    "Status",
    "UpdateRecord",
    "Visibility",
    "Watch",
]
