"""Evidence (证据材料) on a case: the `Attachment` type and `attachEvidence`
(docs/CASE_FILE.md, "Evidence"). The bytes come in a multipart request (the GraphQL
multipart request spec, strawberry's `Upload`) and go out through
`GET /cases/{caseId}/attachments/{attachmentId}`, never through GraphQL."""

from datetime import datetime

import strawberry
from strawberry.file_uploads import Upload

from yidi.persistence import models
from yidi.resolvers import evidence
from yidi.resolvers.ids import to_global_id
from yidi.schema.case_mutation import CasePayload
from yidi.schema.types import Case, Ctx, User, load_user
from yidi.services.reading import CaseRow


@strawberry.type(description="A file in a case's file (证据材料): a photo, a scan, a PDF.")
class Attachment:
    id: strawberry.ID
    row: strawberry.Private[models.Attachment]
    case_row: strawberry.Private[CaseRow]
    content_type: str = strawberry.field(
        description="What the bytes are (image/jpeg, image/png, application/pdf), read from "
        "the file itself, never from its name."
    )
    size: int = strawberry.field(description="In bytes.")
    sha256: str = strawberry.field(description="Hex SHA-256 of the bytes: the file's identity.")
    description: str | None
    uploaded_at: datetime
    download_path: str = strawberry.field(
        description="Where to GET the bytes with the bearer token: "
        "/cases/{caseId}/attachments/{attachmentId}."
    )

    @classmethod
    def of(cls, case: CaseRow, row: models.Attachment) -> "Attachment":
        case_id = to_global_id("Case", case.id)
        attachment_id = to_global_id("Attachment", row.id)
        return cls(
            id=strawberry.ID(attachment_id),
            row=row,
            case_row=case,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            description=row.description,
            uploaded_at=row.uploaded_at,
            download_path=f"/cases/{case_id}/attachments/{attachment_id}",
        )

    @strawberry.field(
        description="The name the uploader's device gave it; null unless the viewer may see "
        "personal data of this case."
    )
    async def file_name(self, info: Ctx) -> str | None:
        return await evidence.file_name(info.context, self.case_row, self.row)

    @strawberry.field
    async def uploaded_by(self, info: Ctx) -> User | None:
        return await load_user(info, self.row.uploaded_by_id)


@strawberry.input(description="One file for a case's file, sent as a multipart request.")
class AttachEvidenceInput:
    case_id: strawberry.ID
    file: Upload = strawberry.field(
        description="JPEG, PNG or PDF (by its bytes), at most the server's upload limit."
    )
    description: str | None = strawberry.field(
        default=None, description="What the file shows, up to 500 characters."
    )
    expected_version: int | None = None


@strawberry.type
class EvidenceMutations:
    @strawberry.mutation(description="Attach a file to a case (policy action ATTACH).")
    async def attach_evidence(self, info: Ctx, input: AttachEvidenceInput) -> CasePayload:
        row = await evidence.attach(
            info.context,
            case_id=input.case_id,
            upload=input.file,
            description=input.description,
            expected_version=input.expected_version,
        )
        return CasePayload(case=Case.of(row))
