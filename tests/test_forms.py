"""The request forms: store parsing, code normalisation, Japanese field errors, fuzzing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import factories
from workflow.calendar import BusinessCalendar, LeadTimeRules
from workflow.errors import ValidationFailed
from workflow.forms import (
    CHANGE_NEEDS_ADDITIONS,
    FIELD_KEYS,
    FIELD_LABELS,
    RequestForm,
    StoreEntry,
    date_label_for,
    normalize_code,
    parse_list,
    parse_request,
    parse_stores,
)

TODAY = date(2026, 11, 26)  # Thursday: 3 business days later is 12-01, 5 is 12-03
CAL = BusinessCalendar()
RULES = LeadTimeRules()


def new_raw(**overrides: object) -> dict[str, object]:
    """tests/factories.new_raw with two stores and the earliest date allowed on TODAY."""
    return factories.new_raw(**{
        "company_code": "67890",
        "stores": "0001:居酒屋データ分析 目黒本店\n0002:データ分析カフェ 目黒川店",
        "desired_date": "2026-12-01", **overrides})


def parse(kind: str, raw: Any) -> RequestForm:
    return parse_request(kind, raw, today=TODAY, calendar=CAL, rules=RULES)


def errors_of(kind: str, raw: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as info:
        parse(kind, raw)
    found: dict[str, list[str]] = {}
    for error in info.value.errors:
        found.setdefault(error.field, []).append(error.message)
    return found


# ---------------------------------------------------------------- stores


def test_parse_stores_all_line_formats() -> None:
    text = (
        "0001:居酒屋データ分析 目黒本店\n"
        "0002：データ分析カフェ 目黒川店\n"
        "\n"
        "0003 ラーメン・つけめん札幌店\n"
        "0004\t金町駅前店\n"
        "０００５　渋谷店\r\n"
        "  0006 : イオン板橋店  \n"
    )
    stores = parse_stores(text)
    assert [(s.code, s.name) for s in stores] == [
        ("0001", "居酒屋データ分析 目黒本店"),
        ("0002", "データ分析カフェ 目黒川店"),
        ("0003", "ラーメン・つけめん札幌店"),
        ("0004", "金町駅前店"),
        ("0005", "渋谷店"),
        ("0006", "イオン板橋店"),
    ]


def test_parse_stores_row_copied_from_linkage_table_keeps_only_the_name() -> None:
    stores = parse_stores("0001:居酒屋データ分析 目黒本店\t67890\t2025/11/14\t2026/04/30\t未連携")
    assert stores == [StoreEntry(code="0001", name="居酒屋データ分析 目黒本店")]


def test_parse_stores_reports_every_bad_line_by_number() -> None:
    text = "0001:目黒本店\n0002\nA001:渋谷店\n\n0001:目黒本店（重複）\n0000:企業管理店舗\n目黒川店"
    with pytest.raises(ValidationFailed) as info:
        parse_stores(text)
    messages = [e.message for e in info.value.errors]
    assert {e.field for e in info.value.errors} == {"stores"}
    assert messages == [
        "2行目: 店舗名を入力してください（例: 0001:目黒本店）",
        "3行目: 店舗CDは半角数字で入力してください（例: 0001）",
        "5行目: 店舗CD 0001 が1行目と重複しています",
        "6行目: 0000は企業管理店舗（企業の管理用レコード）のため、連携対象の店舗ではありません。"
        "この行を削除してください",
        "7行目: 「店舗CD:店舗名」の形式で入力してください（例: 0001:目黒本店）",
    ]


def test_parse_stores_rejects_non_ascii_digits_that_nfkc_keeps() -> None:
    # Arabic-Indic digits are digits to str.isdigit() and int(), but not store codes.
    with pytest.raises(ValidationFailed, match="1行目: 店舗CDは半角数字"):
        parse_stores("٠٠٠١:目黒本店")


def test_parse_stores_too_long_code_and_name() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_stores("12345678901:目黒本店\n0002:" + "店" * 101)
    assert [e.message for e in info.value.errors] == [
        "1行目: 店舗CDは10桁以内の半角数字で入力してください",
        "2行目: 店舗名は100文字以内で入力してください",
    ]


def test_stores_as_dicts_and_strings() -> None:
    form = parse(
        "new",
        new_raw(
            stores=[
                {"code": "０００１", "name": "目黒本店"},
                "0002:目黒川店",
                {"code": 3, "name": "札幌店"},
            ]
        ),
    )
    assert [s.code for s in form.stores] == ["0001", "0002", "3"]


def test_stores_list_errors_name_the_item() -> None:
    stores = [{"code": "0001"}, 5, "0001:目黒本店", {"code": "0001", "name": "x"}]
    found = errors_of("new", new_raw(stores=stores))
    assert found["stores"] == [
        "1件目: 店舗の形式が正しくありません（店舗CDと店舗名を指定してください）",
        "2件目: 店舗の形式が正しくありません（店舗CDと店舗名を指定してください）",
        "4件目: 店舗CD 0001 が3件目と重複しています",
    ]


@pytest.mark.parametrize("stores", [None, "", "\n  \n", []])
def test_stores_required(stores: object) -> None:
    assert errors_of("new", new_raw(stores=stores))["stores"] == [
        "対象店舗を入力してください（例: 0001:目黒本店）"
    ]


def test_stores_limit_and_wrong_type() -> None:
    many = "\n".join(f"{i:04d}:店舗{i}" for i in range(1, 302))
    assert errors_of("new", new_raw(stores=many))["stores"] == [
        "対象店舗は300店舗以内で入力してください（現在301店舗）"
    ]
    assert errors_of("new", new_raw(stores=5))["stores"] == ["対象店舗の形式が正しくありません"]


# ---------------------------------------------------------------- codes, names, lists


def test_normalize_code() -> None:
    assert normalize_code(" ６７８９０ ") == "67890"
    assert normalize_code("ab") == "ab"  # not validated here


def test_valid_new_request() -> None:
    raw = new_raw(customer_code="１２３４５６", company_code=" 67890 ", remarks="a\r\nb\n")
    form = parse("new", raw)
    assert form.kind == "new"
    assert form.customer_code == "123456"
    assert form.company_code == "67890"
    assert form.stores[1] == StoreEntry(code="0002", name="データ分析カフェ 目黒川店")
    assert form.desired_date == date(2026, 12, 1)
    assert form.remarks == "a\nb"
    assert form.date_label() == "連携開始希望日"


def test_codes_keep_leading_zeros_and_accept_json_numbers() -> None:
    form = parse("new", new_raw(customer_code="000123", company_code=67890))
    assert (form.customer_code, form.company_code) == ("000123", "67890")


def test_required_fields() -> None:
    found = errors_of("new", {})
    assert found["customer_code"] == ["顧客CDを入力してください"]
    assert found["company_code"] == ["企業CDを入力してください"]
    assert found["company_name"] == ["企業名を入力してください（例: 株式会社データ分析）"]
    assert found["stores"] == ["対象店舗を入力してください（例: 0001:目黒本店）"]
    assert found["desired_date"] == ["連携開始希望日を入力してください"]


@pytest.mark.parametrize("bad", ["12-34", "abc", "١٢٣", "1.5", True, 1.5, -3, ["1"]])
def test_code_wrong_characters(bad: object) -> None:
    assert errors_of("new", new_raw(company_code=bad))["company_code"] == [
        "企業CDは半角数字1〜12桁で入力してください"
    ]


def test_code_too_long() -> None:
    assert errors_of("new", new_raw(customer_code="1234567890123"))["customer_code"] == [
        "顧客CDは12桁以内で入力してください（現在13桁）"
    ]


def test_company_name_and_remarks_limits() -> None:
    found = errors_of("new", new_raw(company_name="社" * 101, remarks="x" * 1001))
    assert found["company_name"] == ["企業名は100文字以内で入力してください（現在101文字）"]
    assert found["remarks"] == ["備考は1000文字以内で入力してください（現在1001文字）"]
    found = errors_of("new", new_raw(company_name="株式会社\nデータ", remarks="a\x00b"))
    assert found["company_name"] == ["企業名に使用できない文字（改行・制御文字）が含まれています"]
    assert found["remarks"] == ["備考に使用できない文字（改行・制御文字）が含まれています"]


def test_parse_list() -> None:
    assert parse_list("PayPay、楽天ペイ\nd払い,au PAY，メルペイ;  \n") == (
        "PayPay",
        "楽天ペイ",
        "d払い",
        "au PAY",
        "メルペイ",
    )
    assert parse_list("学割１０％引") == ("学割10%引",)
    assert parse_list(" \n、") == ()


# ---------------------------------------------------------------- kinds and change lists


def test_unknown_kind() -> None:
    found = errors_of("other", new_raw())
    assert list(found) == ["kind"]
    assert "新規・増店" in found["kind"][0]
    with pytest.raises(ValueError, match="unknown request kind"):
        date_label_for("other")


def test_change_needs_an_addition() -> None:
    assert errors_of("change", new_raw())["payment_items"] == [CHANGE_NEEDS_ADDITIONS]


def test_change_lists_from_strings_and_lists() -> None:
    form = parse(
        "change",
        new_raw(
            payment_items="PayPay、楽天ペイ",
            discounts=["学割１０％引", " "],
            customer_segments=None,
        ),
    )
    assert form.payment_items == ("PayPay", "楽天ペイ")
    assert form.discounts == ("学割10%引",)
    assert form.customer_segments == ()
    assert form.date_label() == "設定変更日"


def test_new_refuses_change_lists() -> None:
    found = errors_of("new", new_raw(discounts="学割"))
    assert found["discounts"] == [
        "新規・増店の依頼では追加した値割引は入力できません（設定変更で入力してください）"
    ]


def test_change_list_wrong_type() -> None:
    found = errors_of("change", new_raw(customer_segments=[1, 2]))
    assert found == {"customer_segments": ["追加した客層は1行に1つずつ入力してください"]}


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("value", ["2026/12/01", "12/1", "１２月１日", date(2026, 12, 1)])
def test_date_formats(value: object) -> None:
    assert parse("new", new_raw(desired_date=value)).desired_date == date(2026, 12, 1)


def test_date_unparseable_and_past() -> None:
    assert errors_of("new", new_raw(desired_date="来週"))["desired_date"] == [
        "連携開始希望日を日付で入力してください（例: 2026-12-01、12/1、12月1日）"
    ]
    assert errors_of("change", new_raw(desired_date="2026-11-25", payment_items="PayPay"))[
        "desired_date"
    ] == ["設定変更日に過去の日付は指定できません（2026年11月25日）"]


def test_lead_time_few_stores() -> None:
    assert errors_of("new", new_raw(desired_date="11/30"))["desired_date"] == [
        "連携開始希望日は3営業日以上先の日付を指定してください（最短: 2026年12月1日）"
    ]


def test_lead_time_many_stores() -> None:
    stores = "\n".join(f"{i:04d}:店舗{i}" for i in range(1, 12))
    assert errors_of("new", new_raw(stores=stores))["desired_date"] == [
        "店舗数が10店舗を超えるため、連携開始希望日は5営業日以上先の日付を指定してください"
        "（最短: 2026年12月3日）"
    ]
    form = parse("new", new_raw(stores=stores, desired_date="12/3"))
    assert form.desired_date == date(2026, 12, 3)


def test_every_problem_is_reported_at_once() -> None:
    found = errors_of(
        "change",
        {"customer_code": "x", "company_code": "", "stores": "0001", "desired_date": "2026-11-01"},
    )
    assert set(found) == {
        "customer_code",
        "company_code",
        "company_name",
        "stores",
        "desired_date",
        "payment_items",
    }


def test_field_labels() -> None:
    assert FIELD_LABELS["customer_code"] == "顧客CD"
    assert FIELD_LABELS["stores"] == "対象店舗"
    assert FIELD_LABELS["customer_segments"] == "追加した客層"
    assert {"kind", *FIELD_LABELS} == FIELD_KEYS


# ---------------------------------------------------------------- properties

fullwidth_digits = st.text(alphabet="０１２３４５６７８９", min_size=1, max_size=12)


@given(customer=fullwidth_digits, company=fullwidth_digits)
def test_fullwidth_codes_become_ascii(customer: str, company: str) -> None:
    form = parse("new", new_raw(customer_code=customer, company_code=company))
    to_ascii = str.maketrans("０１２３４５６７８９", "0123456789")
    assert form.customer_code == customer.translate(to_ascii)
    assert form.company_code == company.translate(to_ascii)
    assert form.customer_code.isascii()


scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True),
    st.dates(),
    st.text(max_size=40),
    fullwidth_digits,
    st.text(alphabet="0123456789０１２３４５６７８９:：\t\n 　、,店舗", max_size=60),
    st.just("x" * 5000),
    st.sampled_from(["2026-12-01", "12/1", "１２月１日", "2/29", "0000:企業管理店舗", "\x00\r\n"]),
)
value = st.one_of(
    scalar,
    st.lists(scalar, max_size=5),
    st.lists(
        st.dictionaries(st.sampled_from(["code", "name", "x"]), scalar, max_size=3), max_size=4
    ),
    st.dictionaries(st.text(max_size=5), scalar, max_size=3),
)
raw_dicts = st.dictionaries(
    st.sampled_from([*sorted(FIELD_LABELS), "kind", "extra"]), value, max_size=len(FIELD_LABELS) + 2
)


@settings(max_examples=1500, deadline=None)
@given(kind=st.sampled_from(["new", "change", "", "NEW", "delete"]), raw=raw_dicts)
def test_fuzz_only_validation_failed(kind: str, raw: dict[str, object]) -> None:
    try:
        form = parse(kind, raw)
    except ValidationFailed as exc:
        assert exc.errors
        for error in exc.errors:
            assert error.field in FIELD_KEYS
            assert error.message
        return
    assert isinstance(form, RequestForm)
    assert form.desired_date >= TODAY
    assert all(s.code.isascii() and s.code.isdigit() for s in form.stores)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(["new", "change"]), raw=st.one_of(st.none(), st.integers(), st.text()))
def test_fuzz_non_mapping_raw(kind: str, raw: object) -> None:
    with pytest.raises(ValidationFailed):
        parse(kind, raw)


@settings(max_examples=1500, deadline=None)
@given(
    kind=st.sampled_from(["new", "change"]),
    changes=st.dictionaries(st.sampled_from(sorted(FIELD_LABELS)), value, min_size=1, max_size=3),
)
def test_fuzz_near_valid_requests(kind: str, changes: dict[str, object]) -> None:
    # Starting from a valid request reaches the deeper checks (lead time, lists) more often.
    raw = new_raw(payment_items="PayPay" if kind == "change" else None)
    raw.update(changes)
    try:
        form = parse(kind, raw)
    except ValidationFailed as exc:
        assert all(e.field in FIELD_KEYS and e.message for e in exc.errors)
        return
    assert form.kind == kind
    assert 1 <= len(form.stores) <= 300
    assert len({s.code for s in form.stores}) == len(form.stores)
