"""Writes to the child ledger: register, edit, exit, re-admit, merge, reclassify.

Every write runs in one transaction, recomputes the classification, appends a
ChildChange (who, when, before → after, and the record as it then stood) and an audit
row. Edits carry the version they started from; a newer version on disk raises
StaleEdit and nothing is written.

The modules: history (snapshots, diffs, the ChildChange row), bulk (many new
children and history rows at once: the roster import, the demo), classification
(settings, facts, recomputing the stored classification), records (register, edit,
exit, re-admit, merge, audited reads), aging (the exit-review worklist) and
responsibility (responsible people, guardianship confirmations). Callers import from
this package.
"""

from .aging import (
    AGING_OUT_AGES,
    birthday,
    exit_review_keep,
    exit_reviews_detect,
    exit_reviews_resolve,
)
from .bulk import (
    Builder,
    bulk_insert,
    children_bulk_add,
    history_bulk_record,
    history_rows,
    indexes_built_after,
)
from .classification import (
    Classifier,
    CountySettings,
    apply_classification,
    children_reclassify,
    classification_values,
    facts_from_values,
    facts_of,
    policy_settings,
    schedule_next_visit,
)
from .history import (
    CLASSIFICATION_FIELDS,
    FACT_FIELDS,
    SCHEDULE_FIELDS,
    SNAPSHOT_FIELDS,
    STATUS_FIELDS,
    diff,
    snapshot,
    to_json,
)
from .records import (
    SURNAME_PINYIN,
    StaleEdit,
    child_exit,
    child_facts_set,
    child_id_search_record,
    child_merge,
    child_protection_set,
    child_readmit,
    child_record_read,
    child_register,
    child_reveal_ids,
    child_schooling_set,
    child_update,
    duplicate_dismiss,
    id_number_clash,
    name_keys,
)
from .responsibility import (
    child_confirmation_set,
    children_responsibility_set,
    village_sole_directors,
)

__all__ = [
    "AGING_OUT_AGES",
    "CLASSIFICATION_FIELDS",
    "FACT_FIELDS",
    "SCHEDULE_FIELDS",
    "SNAPSHOT_FIELDS",
    "STATUS_FIELDS",
    "SURNAME_PINYIN",
    "Builder",
    "Classifier",
    "CountySettings",
    "StaleEdit",
    "apply_classification",
    "birthday",
    "bulk_insert",
    "child_confirmation_set",
    "child_exit",
    "child_facts_set",
    "child_id_search_record",
    "child_merge",
    "child_protection_set",
    "child_readmit",
    "child_record_read",
    "child_register",
    "child_reveal_ids",
    "child_schooling_set",
    "child_update",
    "children_bulk_add",
    "children_reclassify",
    "children_responsibility_set",
    "classification_values",
    "diff",
    "duplicate_dismiss",
    "exit_review_keep",
    "exit_reviews_detect",
    "exit_reviews_resolve",
    "facts_from_values",
    "facts_of",
    "history_bulk_record",
    "history_rows",
    "id_number_clash",
    "indexes_built_after",
    "name_keys",
    "policy_settings",
    "schedule_next_visit",
    "snapshot",
    "to_json",
    "village_sole_directors",
]
