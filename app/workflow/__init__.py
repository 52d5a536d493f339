"""The review engine: modules declare matter types; the engine owns every transition."""

from app.workflow.engine import (
    Climb,
    MatterType,
    ReviewError,
    ToCategory,
    ToUnit,
    act,
    allowed_actions,
    register,
    review_of,
    submit,
    submit_new,
    todo_counts,
)

__all__ = [
    "Climb", "MatterType", "ReviewError", "ToCategory", "ToUnit", "act", "allowed_actions", "register",
    "review_of", "submit", "submit_new", "todo_counts",
]
