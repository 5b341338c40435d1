"""Evidence: reading an upload from the multipart request, attaching it, and the fields
whose answer depends on the caller."""

from starlette.datastructures import UploadFile

from yidi.domain.enums import CaseEventType
from yidi.domain.errors import BadInput
from yidi.domain.evidence import AttachEvidence
from yidi.persistence.models import Attachment, Case
from yidi.resolvers.context import Context
from yidi.resolvers.ids import decode_id
from yidi.services import evidence
from yidi.services.reading import CaseRow, EventRow


async def attach(
    ctx: Context,
    *,
    case_id: str,
    upload: object,
    description: str | None,
    expected_version: int | None,
) -> Case:
    """Authenticate, read at most one byte more than the limit (the rest of a larger file
    is never read into memory), run the use case."""
    await ctx.actor()
    if not isinstance(upload, UploadFile):
        # A JSON request can name no file: the bytes come in a multipart request.
        raise BadInput("file", "Send the file in a multipart request (GraphQL multipart spec).")
    limit = ctx.app.settings.max_upload_bytes
    try:
        content = await upload.read(limit + 1)
    finally:
        await upload.close()  # its spooled temporary file goes now, not at garbage collection
    command = AttachEvidence(
        case_id=decode_id(case_id, "Case", "caseId"),
        expected_version=expected_version,
        content=content,
        file_name=upload.filename,
        description=description,
    )
    async with ctx.work() as work:
        return await evidence.attach_evidence(
            work, evidence.blob_store(ctx.app.settings), command, max_bytes=limit
        )


async def file_name(ctx: Context, case: CaseRow, row: Attachment) -> str | None:
    return evidence.file_name_view(await ctx.enforcer(), await ctx.actor(), case, row)


async def may_attach(ctx: Context, case: CaseRow) -> bool:
    return evidence.may_attach(await ctx.enforcer(), await ctx.actor(), case)


async def may_read(ctx: Context, case: CaseRow) -> bool:
    return evidence.may_read_evidence(await ctx.enforcer(), await ctx.actor(), case)


async def event_attachment(ctx: Context, event: EventRow) -> Attachment | None:
    """The attachment an EVIDENCE_ATTACHED event records."""
    if event.type != CaseEventType.EVIDENCE_ATTACHED.value or not event.data:
        return None
    attachment_id = event.data.get("attachment")
    if not isinstance(attachment_id, int):
        return None
    return await ctx.loaders.attachment.load(attachment_id)
