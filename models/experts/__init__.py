"""专家库 (G-13, TR-05 fields): one expert library shared by every module."""

from models.experts.expert import Expert

__all__ = ["Expert"]
