"""Chinese labels for ledger actions, contributed by the app that records them.

Actions are stable English codes (they are hashed into the record); labels are
for people. An app calls :func:`register_action_label` in ``AppConfig.ready``;
an action without a label is shown by its code.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_labels: dict[str, object] = {
    "master.create": _("新建主数据"),
    "master.update": _("修改主数据"),
}


def register_action_label(action: str, label) -> None:
    _labels[action] = label


def action_label(action: str) -> str:
    label = _labels.get(action)
    return str(label) if label is not None else action
