"""Platform models: units, users, dictionaries, people, settings."""

from models.core.attachment import Attachment
from models.core.audit import AuditLog
from models.core.dictionary import DictItem, DictType
from models.core.document import ImportBatch, Job
from models.core.message import Message, MessageRecipient
from models.core.notice import Notice
from models.core.parent_change import ParentChange
from models.core.person import Person
from models.core.registration import UnitRegistration
from models.core.setting import MenuSetting, SupportInfo
from models.core.unit import Category, Department, Unit
from models.core.user import PasswordResetCode, RoleOwner, UnitUser
from models.core.workflow import CommonOpinion, Review, ReviewNode, ReviewPost, ReviewTrail

__all__ = [
    "ImportBatch",
    "Job",
    "Attachment",
    "Message",
    "MessageRecipient",
    "Notice",
    "CommonOpinion",
    "ParentChange",
    "Review",
    "ReviewNode",
    "ReviewPost",
    "ReviewTrail",
    "AuditLog",
    "Category",
    "Department",
    "DictItem",
    "DictType",
    "PasswordResetCode",
    "Person",
    "RoleOwner",
    "MenuSetting",
    "SupportInfo",
    "Unit",
    "UnitRegistration",
    "UnitUser",
]
