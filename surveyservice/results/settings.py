"""Each organisation's thresholds for results (docs/results.md, "Settings")."""

from __future__ import annotations

from ..accounts.models import Organisation, User
from ..audit.log import record
from ..extensions import db
from .summary import Thresholds

K_RANGE = (3, 100)
TEXT_K_MAX = 1000


class ThresholdError(ValueError):
    """Thresholds that cannot be set; ``problems`` by field, each a message template with
    its values, so that a page can show it in its language."""

    def __init__(self, field: str, template: str, **values):
        self.field, self.template, self.values = field, template, values
        super().__init__(template.format(**values))

    @property
    def problems(self) -> dict[str, list[str]]:
        return {self.field: [str(self)]}


def thresholds_for(org: Organisation) -> Thresholds:
    return Thresholds(k=org.result_k, text_k=org.result_text_k)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def change_thresholds(org: Organisation, k: int, text_k: int, actor: User | None) -> Thresholds:
    """Set both thresholds and record it; ThresholdError if either is out of range.
    Nothing is stored unless both are right."""
    low, high = K_RANGE
    if not _whole(k) or not low <= k <= high:
        raise ThresholdError(
            "k", "Expected a whole number from {low} to {high}.", low=low, high=high
        )
    if not _whole(text_k) or not k <= text_k <= TEXT_K_MAX:
        raise ThresholdError(
            "text_k",
            "Expected a whole number from {low} (the smallest group shown) to {high}.",
            low=k,
            high=TEXT_K_MAX,
        )
    before = thresholds_for(org)
    org.result_k, org.result_text_k = k, text_k
    if before != thresholds_for(org):
        record(
            actor,
            "organisation.result_thresholds_changed",
            org.slug,
            {"k": [before.k, k], "text_k": [before.text_k, text_k]},
            organisation_id=org.id,
        )
    db.session.flush()
    return thresholds_for(org)
