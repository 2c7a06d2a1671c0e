"""The operators' step-by-step guide: screen labels per operator language, and the guide's
vocabulary (call types, outcomes, needs families shown, block durations).

Labels live in ``helpline/guide/labels/<lang>.yaml``, one file per operators' working language
(``operators.language`` in the country file, default the first caller language). ``en.yaml`` is
the reference: every other file must have exactly its keys, so a missing or misspelt label is
one clear error (:class:`GuideLabelError`) when the guide flow is rendered, never an empty
button in the agent workspace. The flow template reads a label with ``{{label:<key>}}``.

A country file may give labels of its own under ``operators.labels`` (in the operators'
language): they are merged over the shipped set of that language when there is one, so a
country whose operators' language has no shipped set writes them all (:func:`labels` with
``own``), and a country may reword a few.
"""

from helpline.guide.label_files import (
    LABELS_DIR,
    REFERENCE,
    GuideLabelError,
    has_label_set,
    label_languages,
    labels,
    missing_labels,
)
from helpline.guide.vocabulary import (
    BLOCK_HOURS,
    CALL_TYPES,
    HIGHLIGHT,
    OUTCOMES,
    PROTECTION_FAMILIES,
    needs_families,
    needs_subcodes,
)

__all__ = [
    "BLOCK_HOURS",
    "CALL_TYPES",
    "HIGHLIGHT",
    "LABELS_DIR",
    "OUTCOMES",
    "PROTECTION_FAMILIES",
    "REFERENCE",
    "GuideLabelError",
    "has_label_set",
    "label_languages",
    "labels",
    "missing_labels",
    "needs_families",
    "needs_subcodes",
]
