"""The review engine: modules declare matter types; the engine owns every transition."""

from app.workflow.engine import (
    ATTACHMENT_CHECK,
    NOTIFY,
    Climb,
    Deadlines,
    MatterType,
    Push,
    Require,
    ReviewError,
    ToCategory,
    ToUnit,
    act,
    allowed_actions,
    last_refusal,
    progress_counts,
    register,
    review_of,
    submit,
    submit_new,
    todo_counts,
)

__all__ = [
    "ATTACHMENT_CHECK", "NOTIFY", "Climb", "Deadlines", "MatterType", "Push", "Require", "ReviewError", "ToCategory", "ToUnit", "act", "allowed_actions", "last_refusal", "progress_counts", "register",
    "review_of", "submit", "submit_new", "todo_counts",
]
