"""Evidence uploads (docs/CASE_FILE.md, "Evidence"): a real multipart HTTP request, the
type read from the bytes, the size limit, one blob per content, the event, and the
download endpoint's authorization (same village and the county: yes; another village,
another county, a viewer without the right to personal data, a resident: no)."""

import hashlib
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.api.test_query_count import recorded
from tests.support.clock import Clock, instant
from tests.support.demo import LEADER, V11, V21
from tests.support.deployment import demo_settings
from tests.support.driver import Api
from tests.support.evidence import (
    EXECUTABLE,
    HTML,
    JPEG,
    PNG,
    blobs,
    download,
    multipart,
    pdf,
    upload,
    upload_response,
)
from tests.support.lifecycle import Lifecycle
from tests.support.policy import county_policy, replace_county_policy
from tests.support.sql import scalar
from yidi.config import Settings

LIMIT = 64 * 1024
BODY_LIMIT = 16_000  # the JSON body limit, far below the upload limit

TIMELINE = """
query($id: ID!) { case(id: $id) { version events(first: 50) { edges { node {
  type note actor { username } toUnit { code } attachment { sha256 size contentType }
} } } } }
"""
TRACK = (
    'query($c: String!) { trackCase(trackingCode: $c, phoneLast4: "1111") { milestones { type } } }'
)
ATTACHMENTS = "query($id: ID!) { case(id: $id) { attachments { fileName sha256 } } }"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "attachments"


@pytest.fixture
def settings(store: Path) -> Settings:
    return demo_settings(attachment_dir=store, max_upload_bytes=LIMIT, max_body_bytes=BODY_LIMIT)


async def new_case(api: Api, app: Starlette) -> dict[str, Any]:
    """A case 东湖村 registers and handles, with the resident's tracking code."""
    return await (await Lifecycle.create(api, app)).register()


async def stored_rows(app: Starlette) -> tuple[int, int]:
    attachments = await scalar(app, "SELECT count(*) FROM case_attachments")
    events = await scalar(app, "SELECT count(*) FROM case_events WHERE type = 'EVIDENCE_ATTACHED'")
    return int(attachments), int(events)


async def test_an_upload_is_stored_by_hash_listed_and_recorded(
    api: Api, app: Starlette, clock: Clock, store: Path
) -> None:
    case = await new_case(api, app)
    body = await upload(
        api, V11, case["id"], PNG, name="C:\\现场\\院墙.png", description="院墙裂缝"
    )
    assert "errors" not in body, body
    answered = body["data"]["attachEvidence"]["case"]
    assert answered["version"] == case["version"] + 1
    (attachment,) = answered["attachments"]
    digest = hashlib.sha256(PNG).hexdigest()
    assert attachment == {
        "id": attachment["id"],
        "fileName": "院墙.png",  # the last segment of the device's path
        "contentType": "image/png",
        "size": len(PNG),
        "sha256": digest,
        "description": "院墙裂缝",
        "uploadedAt": attachment["uploadedAt"],
        "uploadedBy": {"username": V11},
        "downloadPath": f"/cases/{case['id']}/attachments/{attachment['id']}",
    }
    assert instant(attachment["uploadedAt"]) == clock()
    # One blob, named by its hash, holding exactly the bytes sent.
    assert blobs(store) == [store / digest[:2] / digest[2:4] / digest]
    assert (store / digest[:2] / digest[2:4] / digest).read_bytes() == PNG

    timeline = (await api.ok(TIMELINE, {"id": case["id"]}, user=LEADER))["case"]
    last = timeline["events"]["edges"][-1]["node"]
    assert last == {
        "type": "EVIDENCE_ATTACHED",
        "note": "上传证据材料：PNG，70 字节",  # never the file's name or description
        "actor": {"username": V11},
        "toUnit": {"code": "990100001001"},
        "attachment": {"sha256": digest, "size": len(PNG), "contentType": "image/png"},
    }
    assert await stored_rows(app) == (1, 1)
    # Not a public milestone: the resident tracking the case never hears of evidence.
    tracked = (await api.ok(TRACK, {"c": case["trackingCode"]}))["trackCase"]
    assert [m["type"] for m in tracked["milestones"]] == ["REGISTERED"]


@pytest.mark.parametrize(
    ("content", "name", "declared", "kind"),
    [
        pytest.param(JPEG, "scan.jpg", "image/jpeg", "image/jpeg", id="jpeg"),
        pytest.param(pdf(), "agreement.pdf", "application/pdf", "application/pdf", id="pdf"),
        # The bytes decide, not what the client calls them.
        pytest.param(PNG, "agreement.pdf", "application/pdf", "image/png", id="png-named-pdf"),
    ],
)
async def test_each_allowed_type_is_read_from_the_bytes(
    api: Api, app: Starlette, content: bytes, name: str, declared: str, kind: str
) -> None:
    case = await new_case(api, app)
    body = await upload(api, V11, case["id"], content, name=name, declared=declared)
    assert "errors" not in body, body
    (attachment,) = body["data"]["attachEvidence"]["case"]["attachments"]
    assert (attachment["contentType"], attachment["size"]) == (kind, len(content))


@pytest.mark.parametrize(
    ("content", "name", "declared"),
    [
        pytest.param(EXECUTABLE, "调解协议.pdf", "application/pdf", id="exe-named-pdf"),
        pytest.param(HTML, "photo.jpg", "image/jpeg", id="html-named-jpg"),
        pytest.param(b"PK\x03\x04" + bytes(100), "record.png", "image/png", id="zip-named-png"),
        pytest.param(b"just some text", "note.pdf", "application/pdf", id="text-named-pdf"),
        pytest.param(b"", "empty.png", "image/png", id="empty"),
    ],
)
async def test_a_file_whose_bytes_are_not_allowed_is_refused(
    api: Api, app: Starlette, store: Path, content: bytes, name: str, declared: str
) -> None:
    case = await new_case(api, app)
    body = await upload(api, V11, case["id"], content, name=name, declared=declared)
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "file"}
    assert body["data"] is None
    assert blobs(store) == []
    assert await stored_rows(app) == (0, 0)


async def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(
    api: Api, app: Starlette, store: Path
) -> None:
    case = await new_case(api, app)
    just_over = PNG + bytes(LIMIT + 1 - len(PNG))
    body = await upload(api, V11, case["id"], just_over)
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "file"}
    assert str(LIMIT) in error["message"]
    # At the limit exactly, it is taken.
    at_limit = await upload(api, V11, case["id"], PNG + bytes(LIMIT - len(PNG)))
    assert "errors" not in at_limit, at_limit
    assert await stored_rows(app) == (1, 1)
    assert len(blobs(store)) == 1


async def test_an_upload_has_its_own_body_limit_above_the_json_one(
    api: Api, app: Starlette
) -> None:
    case = await new_case(api, app)
    padding = "x" * BODY_LIMIT
    json_body = await api.client.post(
        "/graphql", json={"query": f"{{ me {{ username }} }} #{padding}"}
    )
    assert json_body.status_code == 413
    body = await upload(api, V11, case["id"], PNG + bytes(LIMIT - len(PNG)))  # 4× BODY_LIMIT
    assert "errors" not in body, body


async def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
    api: Api, app: Starlette, store: Path
) -> None:
    case = await new_case(api, app)
    huge = PNG + bytes(LIMIT * 40)  # over the file limit plus the operation's allowance
    response = await upload_response(api, V11, case["id"], huge)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert blobs(store) == []
    assert await stored_rows(app) == (0, 0)


async def test_the_same_file_twice_is_one_blob_and_two_attachments(
    api: Api, app: Starlette, store: Path
) -> None:
    first = await new_case(api, app)
    second = await new_case(api, app)
    document = pdf("同一份协议")
    for case_id, user in ((first["id"], V11), (first["id"], V11), (second["id"], LEADER)):
        body = await upload(api, user, case_id, document, name="a.pdf", declared="application/pdf")
        assert "errors" not in body, body
    digest = hashlib.sha256(document).hexdigest()
    assert blobs(store) == [store / digest[:2] / digest[2:4] / digest]
    assert await stored_rows(app) == (3, 3)
    shas = await scalar(app, "SELECT array_agg(DISTINCT sha256) FROM case_attachments")
    assert shas == [digest]


@pytest.mark.parametrize("user", [V11, LEADER, "t1.leader"])
async def test_the_case_s_own_village_and_units_above_download_the_bytes(
    api: Api, app: Starlette, user: str
) -> None:
    case = await new_case(api, app)
    document = pdf("调解协议书")
    body = await upload(api, V11, case["id"], document, name="调解 协议.pdf")
    (attachment,) = body["data"]["attachEvidence"]["case"]["attachments"]
    response = await download(api, attachment["downloadPath"], user)
    assert response.status_code == 200
    assert response.content == document
    assert hashlib.sha256(response.content).hexdigest() == attachment["sha256"]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E8%B0%83%E8%A7%A3%20%E5%8D%8F%E8%AE%AE.pdf" in disposition


@pytest.mark.parametrize(
    ("user", "status", "code"),
    [
        pytest.param(V21, 404, "NOT_FOUND", id="another-village"),
        pytest.param("other.leader", 404, "NOT_FOUND", id="another-county"),
        # Sees the case, not its personal data: a scanned agreement is personal data.
        pytest.param("county.viewer", 403, "FORBIDDEN", id="viewer"),
        pytest.param(None, 401, "UNAUTHENTICATED", id="no-token"),
    ],
)
async def test_a_download_is_refused_to_whoever_may_not_read_the_evidence(
    api: Api, app: Starlette, user: str | None, status: int, code: str
) -> None:
    case = await new_case(api, app)
    body = await upload(api, V11, case["id"], PNG)
    (attachment,) = body["data"]["attachEvidence"]["case"]["attachments"]
    response = await download(api, attachment["downloadPath"], user)
    assert response.status_code == status
    assert response.json() == {
        "errors": [
            {"message": response.json()["errors"][0]["message"], "extensions": {"code": code}}
        ]
    }
    assert PNG not in response.content


async def test_a_resident_s_tracking_code_is_no_token(api: Api, app: Starlette) -> None:
    case = await new_case(api, app)
    body = await upload(api, V11, case["id"], PNG)
    (attachment,) = body["data"]["attachEvidence"]["case"]["attachments"]
    for token in (case["trackingCode"], f"{case['trackingCode']}:1111", "null"):
        response = await download(api, attachment["downloadPath"], None, token=token)
        assert response.status_code == 401, token
        assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_an_attachment_is_reached_only_through_its_own_case(api: Api, app: Starlette) -> None:
    first = await new_case(api, app)
    second = await new_case(api, app)
    body = await upload(api, V11, first["id"], PNG)
    (attachment,) = body["data"]["attachEvidence"]["case"]["attachments"]
    attachment_id = attachment["id"]
    for path in (
        f"/cases/{second['id']}/attachments/{attachment_id}",  # another case's path
        f"/cases/{first['id']}/attachments/{first['id']}",  # a case id is no attachment id
        f"/cases/not-an-id/attachments/{attachment_id}",
    ):
        response = await download(api, path, V11)
        assert response.status_code == 404, path
        assert response.json()["errors"][0]["extensions"] == {"code": "NOT_FOUND"}


async def test_the_file_name_is_personal_data(api: Api, app: Starlette) -> None:
    case = await new_case(api, app)
    await upload(api, V11, case["id"], JPEG, name="张三身份证.jpg", declared="image/jpeg")
    mine = (await api.ok(ATTACHMENTS, {"id": case["id"]}, user=V11))["case"]["attachments"]
    viewer = (await api.ok(ATTACHMENTS, {"id": case["id"]}, user="county.viewer"))["case"]
    assert mine[0]["fileName"] == "张三身份证.jpg"
    assert viewer["attachments"] == [{"fileName": None, "sha256": mine[0]["sha256"]}]


@pytest.mark.parametrize(
    ("user", "code"),
    [
        pytest.param(V21, "NOT_FOUND", id="another-village"),
        pytest.param("other.leader", "NOT_FOUND", id="another-county"),
        pytest.param("county.viewer", "FORBIDDEN", id="viewer"),
    ],
)
async def test_who_may_not_attach_changes_nothing(
    api: Api, app: Starlette, store: Path, user: str, code: str
) -> None:
    case = await new_case(api, app)
    body = await upload(api, user, case["id"], PNG)
    assert body["errors"][0]["extensions"] == {"code": code}
    assert blobs(store) == []
    assert await stored_rows(app) == (0, 0)


async def test_an_upload_needs_a_token_before_its_body_is_read(
    api: Api, app: Starlette, store: Path
) -> None:
    case = await new_case(api, app)
    response = await upload_response(api, None, case["id"], PNG)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert blobs(store) == []


async def test_a_json_request_names_no_file(api: Api, app: Starlette) -> None:
    case = await new_case(api, app)
    mutation = (
        "mutation($input: AttachEvidenceInput!) { attachEvidence(input: $input) { case { id } } }"
    )
    error = await api.error(mutation, {"input": {"caseId": case["id"], "file": "AAAA"}}, user=V11)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "file"}
    assert await stored_rows(app) == (0, 0)


async def test_a_stale_version_and_a_case_redirected_away_are_refused(
    api: Api, app: Starlette
) -> None:
    lc = await Lifecycle.create(api, app)
    case = await lc.register()
    stale = await upload(api, V11, case["id"], PNG, expectedVersion=case["version"] - 1)
    assert stale["errors"][0]["extensions"] == {"code": "CONFLICT"}
    await lc.do("REDIRECT", case["id"], V11, {"reason": "已起诉", "guidance": "请向法院咨询"})
    body = await upload(api, V11, case["id"], PNG)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_TRANSITION"}
    assert await stored_rows(app) == (0, 0)


async def test_the_county_admin_decides_who_may_attach(api: Api, app: Starlette) -> None:
    revision, rules = await county_policy(api)
    kept = [r for r in rules if not (r["action"] == "ATTACH" and r["role"] == "HANDLER")]
    assert len(kept) == len(rules) - 1
    await replace_county_policy(api, kept, revision)
    lc = await Lifecycle.create(api, app)
    case = await lc.register(user="t1.leader", location="990100001")  # 东湖镇 handles it
    denied = await upload(api, "t1.handler", case["id"], PNG)  # HANDLER only
    assert denied["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    allowed = await upload(api, "t1.leader", case["id"], PNG)  # LEADER keeps the rule
    assert "errors" not in allowed, allowed
    assert await stored_rows(app) == (1, 1)


ATTACHMENT_PAGE = """{ cases(first: 30) { edges { node {
  attachments { fileName sha256 uploadedBy { username } }
  events(first: 20) { edges { node { type attachment { sha256 fileName } } } } } } } }"""


async def test_attachments_cost_no_statement_per_case(api: Api, app: Starlette) -> None:
    """Attachments of a page of cases, and those its events name, load in batches."""

    async def with_evidence() -> None:
        case = await new_case(api, app)
        for content in (PNG, JPEG):
            assert "errors" not in await upload(api, V11, case["id"], content)

    async def page() -> tuple[int, list[str]]:
        with recorded(app) as statements:
            data = await api.ok(ATTACHMENT_PAGE, user=V11)
        cases = [edge["node"] for edge in data["cases"]["edges"]]
        attached = [c for c in cases if c["attachments"]]
        assert all(len(c["attachments"]) == 2 for c in attached)
        return len(attached), statements

    await with_evidence()
    await page()  # the policy loaded, warm
    one_case, one = await page()
    for _ in range(4):
        await with_evidence()
    five_cases, five = await page()
    assert (one_case, five_cases) == (1, 5)
    assert len(one) == len(five), "\n\n".join(["one case", *one, "five cases", *five])


@pytest.mark.parametrize(
    "request_parts",
    [
        pytest.param({"content": b"abc", "multipart": ""}, id="no-boundary"),
        pytest.param({"content": b"--xx\r\nnonsense", "multipart": "; boundary=xx"}, id="garbage"),
        # Starlette's limit of 1,000 files, in parts as small as they come.
        pytest.param(
            {
                "content": b"".join(
                    b'--b\r\nContent-Disposition: form-data; name="%d"; filename="a"\r\n\r\n\r\n'
                    % i
                    for i in range(1001)
                )
                + b"--b--\r\n",
                "multipart": "; boundary=b",
            },
            id="too-many-files",
        ),
        pytest.param({"files": 1, "name": "1"}, id="map-names-a-missing-file"),
    ],
)
async def test_a_malformed_multipart_body_is_a_json_400(
    api: Api, app: Starlette, store: Path, request_parts: dict[str, Any]
) -> None:
    case = await new_case(api, app)
    headers = {"authorization": f"Bearer {await api.token(V11)}"}
    if "content" in request_parts:
        content_type = f"multipart/form-data{request_parts['multipart']}"
        response = await api.client.post(
            "/graphql",
            content=request_parts["content"],
            headers={**headers, "content-type": content_type},
        )
    else:
        name = request_parts.get("name", "0")
        files = [(name, ("a.png", PNG, "image/png"))]
        files += [(f"{i}x", ("", b"", "image/png")) for i in range(1, request_parts["files"])]
        response = await api.client.post(
            "/graphql", data=multipart(case["id"]), files=files, headers=headers
        )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert blobs(store) == []
    assert await stored_rows(app) == (0, 0)


FLAGS = "query($id: ID!) { case(id: $id) { canAttachEvidence canReadEvidence } }"


@pytest.mark.parametrize(
    "user", [V11, LEADER, "t1.leader", "county.intake", "county.viewer", "county.admin"]
)
async def test_the_evidence_flags_are_exactly_what_succeeds(
    api: Api, app: Starlette, user: str
) -> None:
    """`canAttachEvidence` and `canReadEvidence` answer what an upload and a download by
    the same caller then do, on an open case and on one redirected away."""
    lc = await Lifecycle.create(api, app)
    for redirect in (False, True):
        case = await lc.register()
        first = await upload(api, V11, case["id"], PNG)
        (attachment,) = first["data"]["attachEvidence"]["case"]["attachments"]
        if redirect:
            await lc.do("REDIRECT", case["id"], V11, {"reason": "已起诉", "guidance": "法院"})
        flags = (await api.ok(FLAGS, {"id": case["id"]}, user=user))["case"]
        attached = "errors" not in await upload(api, user, case["id"], JPEG)
        read = (await download(api, attachment["downloadPath"], user)).status_code == 200
        assert flags == {"canAttachEvidence": attached, "canReadEvidence": read}, redirect
        # The flags are not vacuous: the handling village may both while the case is open.
        if user == V11:
            assert (attached, read) == (not redirect, True)


async def test_a_blob_missing_from_the_store_is_a_bare_500(
    api: Api, app: Starlette, store: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A row whose bytes are gone (a store not restored with the database) is the server's
    fault: logged with the hash, answered without it."""
    case = await new_case(api, app)
    body = await upload(api, V11, case["id"], PNG)
    (attachment,) = body["data"]["attachEvidence"]["case"]["attachments"]
    for blob in blobs(store):
        blob.unlink()
    response = await download(api, attachment["downloadPath"], V11)
    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
    assert attachment["sha256"] in caplog.text
