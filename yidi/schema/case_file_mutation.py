"""Case-file mutations (docs/CASE_FILE.md), mixed into the Mutation root.

Each is a lifecycle action like those of `case_mutation.py`: same table shape, same path.
"""

import strawberry

from yidi.domain import commands as c
from yidi.schema.case_file_inputs import TakeOwnershipInput
from yidi.schema.case_mutation import CasePayload, case_action, versioned
from yidi.schema.inputs import ReasonInput


@strawberry.type
class CaseFileMutations:
    take_ownership: CasePayload = case_action(
        TakeOwnershipInput, lambda i: c.TakeOwnership(**versioned(i), note=i.note)
    )
    release_ownership: CasePayload = case_action(
        ReasonInput, lambda i: c.ReleaseOwnership(**versioned(i), reason=i.reason)
    )
