"""The Kintone REST client against the local fake server, over a real socket."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.integrations.kintone import (
    KintoneClient,
    KintoneFieldCodes,
    KintoneUnavailable,
    record_url,
)
from tests.dbs import Database
from tests.kintone_fake import FakeKintone, error
from workflow.outbox import Permanent


@pytest.fixture
def client(kintone: FakeKintone) -> Iterator[KintoneClient]:
    with KintoneClient(kintone.url + "/", kintone.app_id, kintone.token, timeout=5) as c:
        yield c


def test_add_record_sends_app_and_field_values(client: KintoneClient,
                                               kintone: FakeKintone) -> None:
    record_id = client.add_record({"問い合わせ内容": "まかせてネット新規連携依頼になります。\n",
                                   "企業CD": "67890"})
    assert record_id == "1"
    path, body = kintone.requests[0]
    assert path == "/k/v1/record.json"
    assert body == {"app": "42", "record": {
        "問い合わせ内容": {"value": "まかせてネット新規連携依頼になります。\n"},
        "企業CD": {"value": "67890"}}}


def test_add_comment(client: KintoneClient, kintone: FakeKintone) -> None:
    text = "ジャストプランニングより連携設定完了の連絡がありました。"
    record_id = client.add_record({"問い合わせ内容": "x"})
    client.add_comment(record_id, text)
    assert kintone.requests[-1] == ("/k/v1/record/comment.json", {
        "app": "42", "record": "1", "comment": {"text": text}})
    assert kintone.comments == [{"record": "1", "text": text}]


def test_a_comment_over_kintones_limit_goes_whole_in_several(client: KintoneClient,
                                                              kintone: FakeKintone) -> None:
    lines = [f"・{i:04d}:{'店' * 100}\n" for i in range(1, 1001)]  # ~104,000 characters
    text = "".join(lines)
    record_id = client.add_record({"問い合わせ内容": "x"})
    client.add_comment(record_id, text)
    parts = [c["text"] for c in kintone.comments]
    assert len(parts) == 2 and "".join(parts) == text
    assert all(len(p) <= 65535 and p.endswith("\n") for p in parts)


def test_a_retried_long_comment_posts_only_the_parts_that_did_not_go(
        client: KintoneClient, kintone: FakeKintone, sqlite_db: Database) -> None:
    """The handlers' once-per-part bookkeeping (processed request keys in the database): part
    2 refused with a 503, the job's retry posts part 2 alone. (Within the forms' limits the
    longest 定型文 measured 63,289 characters, one comment; this is for what grows later.)"""
    from bot.integrations.senders import _comment_once
    from workflow.models import OutboxJob
    from workflow.service import Workflow
    from workflow.settings import Settings

    wf = Workflow(sqlite_db.factory, Settings.model_validate({}))
    job = OutboxJob(kind="kintone.comment", dedupe_key="kintone.comment:7:1", payload={})
    text = "".join(f"・{i:04d}:{'店' * 100}\n" for i in range(1, 1001))
    record_id = client.add_record({"問い合わせ内容": "x"})

    def fail_after_first(i: int, post: Callable[[], object]) -> None:
        _comment_once(wf, job)(i, post)
        if i == 0:
            kintone.fail(503)

    with pytest.raises(KintoneUnavailable, match="503"):
        client.add_comment(record_id, text, once=fail_after_first)
    assert len(kintone.comments) == 1
    client.add_comment(record_id, text, once=_comment_once(wf, job))  # the job's retry
    parts = [c["text"] for c in kintone.comments]
    assert len(parts) == 2 and "".join(parts) == text  # part 1 once, then part 2
    client.add_comment(record_id, text, once=_comment_once(wf, job))  # a redelivered job
    assert len(kintone.comments) == 2


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_transient_failures_are_retryable(client: KintoneClient, kintone: FakeKintone,
                                          status: int) -> None:
    kintone.fail(status)
    with pytest.raises(KintoneUnavailable, match=str(status)):
        client.add_record({"問い合わせ内容": "x"})
    assert not isinstance(KintoneUnavailable("x"), Permanent)
    assert client.add_record({"問い合わせ内容": "x"}) == "1"  # back up: goes through


def test_kintone_error_json_is_permanent_with_its_message(client: KintoneClient,
                                                          kintone: FakeKintone) -> None:
    kintone.fail(400, body=error("CB_VA01", "入力内容が正しくありません。",
                                 {"record.企業CD.value": {"messages": ["必須です。"]}}))
    with pytest.raises(Permanent) as err:
        client.add_record({"企業CD": ""})
    text = str(err.value)
    assert "入力内容が正しくありません。" in text
    assert "CB_VA01" in text
    assert "record.企業CD.value: ['必須です。']" in text
    assert kintone.records == []


def test_wrong_token_is_permanent(kintone: FakeKintone) -> None:
    with KintoneClient(kintone.url, kintone.app_id, "wrong") as bad, \
            pytest.raises(Permanent, match="401"):
        bad.add_record({"問い合わせ内容": "x"})


def test_unreachable_is_retryable(kintone: FakeKintone) -> None:
    url = kintone.url
    kintone.close()
    with KintoneClient(url, "42", "t", timeout=2) as c, pytest.raises(KintoneUnavailable):
        c.add_record({"問い合わせ内容": "x"})


def test_field_codes_are_configurable() -> None:
    codes = KintoneFieldCodes.parse("text=本文, company_name=")
    assert codes.text == "本文"
    assert codes.record({"text": "t", "company_name": "株式会社", "company_code": "1"}) == {
        "本文": "t", "企業CD": "1"}
    with pytest.raises(ValueError, match="unknown Kintone field key 'txt'"):
        KintoneFieldCodes.parse("txt=本文")


def test_record_url() -> None:
    assert record_url("https://usen.cybozu.com/", "42", "7") == (
        "https://usen.cybozu.com/k/42/show#record=7")
