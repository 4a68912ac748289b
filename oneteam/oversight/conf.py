"""The metric formulas, from settings (``ONETEAM_METRICS["RATES"]``) over the
defaults of rules.md §4.

A formula is a ratio of sums of raw counters: ``num`` and ``den`` are lists of
counter names, a leading ``-`` subtracts. E.g. the handling rate's denominator
"due to be handled" is ``["dispatched", "-returned"]``. Override or add rates
in the deployment settings::

    ONETEAM_METRICS = {"RATES": {
        "handling_rate": {"label": "处置率", "num": ["handled"], "den": ["dispatched"]},
    }}

An entry set to ``None`` removes a default rate. Raw counts are always shown,
so any other convention can be recomputed from the export.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .models import COUNTERS

OVERDUE = "overdue_now"


@dataclass(frozen=True)
class Rate:
    name: str
    label: str
    num: tuple[str, ...]
    den: tuple[str, ...]

    def value(self, counts: dict[str, int]) -> float | None:
        return _ratio(_sum(self.num, counts), _sum(self.den, counts))

    def parts(self, counts: dict[str, int]) -> dict:
        """Value with its raw numerator and denominator (shown beside the rate)."""
        num, den = _sum(self.num, counts), _sum(self.den, counts)  # once each: 8 rates × every unit of a page
        return {"name": self.name, "label": self.label, "value": _ratio(num, den), "num": num, "den": den,
                "drill": self.drill}

    @property
    def formula(self) -> str:
        return f"{_text(self.num)} / {_text(self.den)}"

    @property
    def drill(self) -> str:
        """The counter a click on the rate lists (its first numerator term)."""
        return self.num[0].lstrip("-")


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den > 0 else None


def _sum(terms: tuple[str, ...], counts: dict[str, int]) -> int:
    return sum(-counts[t[1:]] if t.startswith("-") else counts[t] for t in terms)


def _text(terms: tuple[str, ...]) -> str:
    from .models import COUNTER_LABELS

    out = ""
    for i, t in enumerate(terms):
        label = str(COUNTER_LABELS[t.lstrip("-")])
        out += (" − " if t.startswith("-") else (" + " if i else "")) + label
    return f"({out})" if len(terms) > 1 else out


#: rules.md §4, in the order shown.
DEFAULT_RATES: dict[str, dict] = {
    "response_rate": {"label": _("响应率"), "num": ["responded_on_time"], "den": ["dispatched"]},
    "handling_rate": {"label": _("处置率"), "num": ["handled"], "den": ["dispatched", "-returned"]},
    "on_time_handling_rate": {"label": _("按期处置率"), "num": ["handled_on_time"],
                              "den": ["dispatched", "-returned"]},
    "closure_rate": {"label": _("结案率"), "num": ["closed"], "den": ["handled"]},
    "on_time_closure_rate": {"label": _("按期结案率"), "num": ["closed_on_time"], "den": ["handled"]},
    "rework_rate": {"label": _("返工率"), "num": ["reworked"], "den": ["handled"]},
    "satisfaction_rate": {"label": _("满意率"), "num": ["satisfied"], "den": ["visits"]},
    "accurate_dispatch_rate": {"label": _("派遣准确率"), "num": ["dispatched", "-returned"], "den": ["dispatched"]},
}


def rates() -> list[Rate]:
    configured = getattr(settings, "ONETEAM_METRICS", {}).get("RATES", {})
    merged = {**DEFAULT_RATES, **configured}
    out = []
    for name, spec in merged.items():
        if spec is None:
            continue
        num, den = tuple(spec.get("num", ())), tuple(spec.get("den", ()))
        unknown = [t for t in (*num, *den) if t.lstrip("-") not in COUNTERS]
        if not num or not den or unknown:
            raise ImproperlyConfigured(f"ONETEAM_METRICS rate {name!r}: unknown or missing counters {unknown}")
        out.append(Rate(name, str(spec.get("label", name)), num, den))
    return out
