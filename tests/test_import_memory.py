"""Imports hold one chunk at a time (issue 12): what they remember across chunks (which rows
came before, which practitioners they touched) is kept outside Python's heap or compactly,
and each chunk costs the same fixed number of statements, whatever the file's size."""

from __future__ import annotations

import io
import random
from datetime import date

import pytest
from sqlalchemy import event, func, select

from registry.models import Credential, Practitioner, StoredVerdict
from registry.services import verdict_check
from registry.services.bulk import IdSet
from registry.services.imports import (
    ImportRefused,
    common,
    import_credentials,
    import_practitioners,
)

HEADER = "jurisdiction,profession,registration_number,given_name,family_name,"
HEADER += "registration_status,registered_since,modalities\n"
CREDENTIAL_HEADER = "jurisdiction,profession,registration_number,credential_type,issuer,"
CREDENTIAL_HEADER += "credential_number,issued_on\n"


def practitioners(numbers, status: str = "active") -> str:
    return HEADER + "".join(
        f"CA-AB,physiotherapist,M-{n},Al,Bo{n},{status},2015-03-01,dry_needling\n" for n in numbers
    )


def credentials(numbers) -> str:
    return CREDENTIAL_HEADER + "".join(
        f"CA-AB,physiotherapist,M-{n},cpr_certification,Red Cross,C-{n},2025-01-01\n"
        for n in numbers
    )


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(common, "CHUNK_SIZE", 3)


@pytest.fixture
def statements(session):
    """The SQL statements the session's connection runs from now on."""
    seen: list[str] = []
    engine = session.get_bind()

    def note(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


@pytest.mark.parametrize("kind", ["practitioners", "credentials"])
def test_each_chunk_costs_the_same_statements_whatever_the_file(
    kind, small_chunks, session, statements
):
    import_practitioners(session, "test", io.StringIO(practitioners(range(12))))
    counts = []
    for chunk_count in (1, 2, 3):
        numbers = range(chunk_count * 3)
        if kind == "practitioners":  # every row changes: every chunk does the same work
            text = practitioners(numbers).replace(",Al,", f",Al{chunk_count},")
            importer = import_practitioners
        else:
            text = credentials(numbers).replace(",C-", f",C{chunk_count}-")
            importer = import_credentials
        statements.clear()
        importer(session, "test", io.StringIO(text))
        counts.append(len(statements))
    assert counts[2] - counts[1] == counts[1] - counts[0] > 0


def test_no_statement_reads_every_practitioner_key(session, statements):
    import_practitioners(session, "test", io.StringIO(practitioners(range(40))))
    statements.clear()
    import_credentials(session, "test", io.StringIO(credentials([7])))
    import_practitioners(session, "test", io.StringIO(practitioners([8], status="lapsed")))
    reads = [s for s in statements if "registration_number" in s and s.startswith("SELECT")]
    assert reads and all("WHERE" in s or " JOIN " in s for s in reads)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (practitioners([1, 2, 3, 4, 5, 1]), "line 7: same practitioner as line 2"),
        (practitioners([1, 2, 3, 4, 5, 6, 7, 3]), "line 9: same practitioner as line 4"),
    ],
)
def test_a_repeat_in_a_later_chunk_names_its_first_line(small_chunks, session, text, expected):
    with pytest.raises(ImportRefused) as refused:
        import_practitioners(session, "test", io.StringIO(text))
    assert [str(e) for e in refused.value.report.errors] == [expected]
    assert session.scalar(select(func.count()).select_from(Practitioner)) == 0


def test_a_bad_row_still_counts_as_the_first_across_chunks(small_chunks, session):
    text = practitioners([1, 2, 3, 4, 5, 1]).replace("M-1,Al,Bo1,active", "M-1,Al,Bo1,dormant", 1)
    with pytest.raises(ImportRefused) as refused:
        import_practitioners(session, "test", io.StringIO(text))
    assert [str(e) for e in refused.value.report.errors] == [
        "line 2: unknown registration status 'dormant'",
        "line 7: same practitioner as line 2",
    ]


def test_a_credential_repeated_in_a_later_chunk_is_refused(small_chunks, session):
    import_practitioners(session, "test", io.StringIO(practitioners(range(6))))
    with pytest.raises(ImportRefused) as refused:
        import_credentials(session, "test", io.StringIO(credentials([0, 1, 2, 3, 4, 1])))
    assert [str(e) for e in refused.value.report.errors] == ["line 7: same credential as line 3"]
    assert session.scalar(select(func.count()).select_from(Credential)) == 0


def test_imports_in_one_transaction_each_keep_their_own_record_of_rows(small_chunks, session):
    for _ in range(2):
        import_practitioners(session, "test", io.StringIO(practitioners(range(7))))
        import_credentials(session, "test", io.StringIO(credentials(range(7))))
    assert session.scalar(select(func.count()).select_from(Credential)) == 7


@pytest.mark.parametrize("touched", [[3], range(40)], ids=["by id", "streamed"])
def test_the_verdict_store_is_exact_after_each_import(demo, session, touched):
    import_practitioners(session, "test", io.StringIO(practitioners(range(40))))
    assert list(verdict_check.differences(session)) == []
    import_credentials(session, "test", io.StringIO(credentials(touched)))
    assert list(verdict_check.differences(session)) == []
    stored = (
        select(func.count())
        .select_from(StoredVerdict)
        .where(StoredVerdict.computed_on == date.today())
    )
    assert session.scalar(stored) > 0


def test_an_id_set_is_a_set_of_ids_in_order():
    ids = [random.Random(12).randrange(1, 5_000_000) for _ in range(2000)] + [0, 1, 1, 8, 7]
    found = IdSet(ids)
    assert list(found) == sorted(set(ids)) and len(found) == len(set(ids))
    assert 8 in found and 9 not in found and 10**9 not in found
