"""Plain-data configs: a dataclass mixin that turns a config into a dict (for checkpoints and
results files) and back, refusing keys it does not know unless the class says otherwise."""
from __future__ import annotations

from dataclasses import asdict, fields
from typing import ClassVar


class DictConfig:
    """Mixin for a ``@dataclass`` config: ``to_dict()`` and ``from_dict(d)``."""

    IGNORE_UNKNOWN: ClassVar[bool] = False  # True: from_dict drops keys (say, from an older file) it does not know

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict):
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown and not cls.IGNORE_UNKNOWN:
            raise ValueError(f"unknown {cls.__name__} keys: {sorted(unknown)}")
        return cls(**{k: v for k, v in d.items() if k in known})
