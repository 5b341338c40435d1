"""The contract's case mutations, one per action, so tests name the action, not the document."""

from typing import Any

from tests.support.driver import Api

# action -> (mutation field, input type) in contract.graphql.
MUTATIONS: dict[str, tuple[str, str]] = {
    "ASSESS": ("assessCase", "AssessCaseInput"),
    "DISPATCH": ("dispatchCase", "DispatchCaseInput"),
    "ACCEPT": ("acceptCase", "AcceptCaseInput"),
    "RETURN": ("returnCase", "ReasonInput"),
    "ESCALATE": ("escalateCase", "ReasonInput"),
    "REASSIGN": ("reassignCase", "ReassignCaseInput"),
    "SUPERVISE": ("superviseCase", "SuperviseCaseInput"),
    "COMMENT": ("commentCase", "CommentCaseInput"),
    "RESOLVE": ("resolveCase", "ResolveCaseInput"),
    "CLOSE": ("closeCase", "CloseCaseInput"),
    "REOPEN": ("reopenCase", "ReasonInput"),
    "REDIRECT": ("redirectCase", "RedirectCaseInput"),
    "MERGE": ("mergeCase", "MergeCaseInput"),
    "EVALUATE": ("evaluateCase", "EvaluateCaseInput"),
    "FOLLOW_UP": ("recordFollowUp", "FollowUpInput"),
    "TAKE_OWNERSHIP": ("takeOwnership", "TakeOwnershipInput"),
    "RELEASE_OWNERSHIP": ("releaseOwnership", "ReasonInput"),
    "RECORD_MEDIATION": ("recordMediation", "RecordMediationInput"),
    "REQUEST_EXTENSION": ("requestExtension", "RequestExtensionInput"),
    "DECIDE_EXTENSION": ("decideExtension", "DecideExtensionInput"),
    "PAUSE": ("pauseCase", "PauseCaseInput"),
    "RESUME": ("resumeCase", "ResumeCaseInput"),
    "SUMMON": ("summonUnits", "SummonUnitsInput"),
    "REPORT_IN": ("reportIn", "ReportInInput"),
    "CONTRIBUTE": ("submitContribution", "SubmitContributionInput"),
}


def mutation(action: str, selection: str = "id") -> str:
    """The document for `action`, answering `case { selection }`."""
    field, input_type = MUTATIONS[action]
    answer = f"{{ case {{ {selection} }} }}"
    return f"mutation($input: {input_type}!) {{ {field}(input: $input) {answer} }}"


async def act(
    api: Api, user: str, action: str, fields: dict[str, Any], selection: str = "id"
) -> dict[str, Any]:
    """The raw answer (data and errors) of `action` by `user` with input `fields`."""
    return await api.raw(mutation(action, selection), {"input": fields}, user=user)


async def do(
    api: Api, user: str, action: str, fields: dict[str, Any], selection: str = "id"
) -> dict[str, Any]:
    """`action` by `user`, which must succeed; the case it answers with."""
    data = await api.ok(mutation(action, selection), {"input": fields}, user=user)
    case: dict[str, Any] = data[MUTATIONS[action][0]]["case"]
    return case
