"""Evidence on a case (证据材料): attaching a file and reading one back
(docs/CASE_FILE.md, "Evidence").

Attaching follows the path of every action on a case — lock, NOT_FOUND, CONFLICT,
FORBIDDEN (policy `ATTACH`), INVALID_TRANSITION (status), then the file's own rules — and
writes its event through the one event writer. The bytes go to the blob store last, still
inside the transaction: a refused upload stores nothing. Should the commit fail after
that, the blob is an orphan nothing names — harmless, and the same file attached again
finds it in place.
"""

import filetype

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.authz.vocabulary import Permission
from yidi.config import Settings
from yidi.domain import evidence as rules
from yidi.domain.enums import CaseEventType, CaseStatus
from yidi.domain.errors import Conflict, NotFound
from yidi.persistence import cases as case_store
from yidi.persistence.attachments import add_attachment
from yidi.persistence.attachments import attachments_by_ids as attachments_by_ids
from yidi.persistence.attachments import attachments_of_cases as attachments_of_cases
from yidi.persistence.blob_store import BlobStore, FileSystemBlobStore
from yidi.persistence.models import Attachment, Case
from yidi.persistence.read_rows import CaseRow
from yidi.persistence.session import Session
from yidi.services.case_facts import authz_facts
from yidi.services.events import record
from yidi.services.unit_of_work import Work


def blob_store(settings: Settings) -> BlobStore:
    """The store the settings name; an object store would be chosen here."""
    return FileSystemBlobStore(settings.attachments_path())


async def attach_evidence(
    work: Work, store: BlobStore, cmd: rules.AttachEvidence, *, max_bytes: int
) -> Case:
    actor, enforcer = work.staff()
    case = await case_store.case_for_update(work.session, cmd.case_id)
    if case is None or not guard.can_view(enforcer, actor, authz_facts(case)):
        raise NotFound("No such case.")
    expected = cmd.expected_version
    if expected is not None and expected != case.version:
        raise Conflict(
            f"The case has changed (version {case.version}, expected {expected}); "
            "reload it and try again."
        )
    guard.require(enforcer, actor, Permission.ATTACH, authz_facts(case))
    rules.require_attachable(CaseStatus(case.status))
    checked = rules.check(cmd, filetype.guess_mime(cmd.content), max_bytes)
    attachment = Attachment(
        county_id=case.county_id,
        case_id=case.id,
        sha256=checked.sha256,
        size=checked.size,
        content_type=checked.content_type,
        file_name=checked.file_name,
        description=checked.description,
        uploaded_at=work.now,
        uploaded_by_id=actor.user_id,
    )
    await add_attachment(work.session, attachment)
    await record(
        work,
        case,
        CaseEventType.EVIDENCE_ATTACHED,
        to_unit_id=case.handling_unit_id,
        note=rules.timeline_note(checked),
        data={
            "attachment": attachment.id,
            "sha256": checked.sha256,
            "contentType": checked.content_type,
            "size": checked.size,
        },
    )
    await store.put(checked.sha256, cmd.content)
    return case


async def evidence_to_download(
    session: Session, enforcer: CountyEnforcer, actor: Actor, case_id: int, attachment_id: int
) -> Attachment:
    """An attachment of a case whose evidence the actor may read, checked afresh on every
    download; an attachment of another case is answered like none at all."""
    case = (await case_store.cases_by_ids(session, [case_id])).get(case_id)
    if case is None:
        raise NotFound("No such case.")
    guard.require_evidence(enforcer, actor, authz_facts(case))
    attachment = (await attachments_by_ids(session, [attachment_id])).get(attachment_id)
    if attachment is None or attachment.case_id != case.id:
        raise NotFound("No such attachment.")
    return attachment


def file_name_view(
    enforcer: CountyEnforcer, actor: Actor, case: CaseRow, row: Attachment
) -> str | None:
    """The name the uploader's device gave the file ("张三身份证.jpg") is personal data: shown
    only to whoever may see this case's personal data (and download the file)."""
    if guard.may_see_personal_data(enforcer, actor, authz_facts(case)):
        return row.file_name
    return None


def may_attach(enforcer: CountyEnforcer, actor: Actor, case: CaseRow) -> bool:
    """What `attachEvidence` would allow now (policy and status), for the upload button."""
    status_ok = CaseStatus(case.status) in rules.ATTACHABLE_STATUSES
    return status_ok and guard.allows(enforcer, actor, Permission.ATTACH, authz_facts(case))


def may_read_evidence(enforcer: CountyEnforcer, actor: Actor, case: CaseRow) -> bool:
    """What the download endpoint would allow (the case is visible, its personal data too)."""
    facts = authz_facts(case)
    return guard.can_view(enforcer, actor, facts) and guard.may_see_personal_data(
        enforcer, actor, facts
    )
