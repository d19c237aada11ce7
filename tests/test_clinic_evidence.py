"""Credentials added and renewed by a clinic with an evidence file, and who may download it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from registry.models import ClinicStaff, Credential, LinkStatus
from registry.services import InvalidInput, StaleEdit
from registry.services.evidence import EvidenceStore, sniff

from .clinic_helpers import (
    AUTHORIZED,
    BOW,
    HARBOUR,
    TODAY,
    actions,
    client_for,
    clinic,
    own_account,
    page,
    practitioner,
    text,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32


@pytest.fixture
def folder(app, tmp_path):
    app.config["EVIDENCE_FOLDER"] = str(tmp_path / "evidence")
    return tmp_path / "evidence"


@pytest.fixture
def manager(demo, make_user, login, folder):
    user = make_user("clinic_manager", clinics=[BOW])
    login(user)
    return user


def credential_form(content: bytes = PDF, filename: str = "cert.pdf", **fields) -> dict:
    return {
        "credential_type": "cpr_certification",
        "issuer": "Red Cross",
        "credential_number": "RC-77",
        "issued_on": TODAY.isoformat(),
        "expires_on": (TODAY + timedelta(days=730)).isoformat(),
        "evidence": (io.BytesIO(content), filename),
        **fields,
    }


def post(client, url: str, data: dict):
    return client.post(url, data=data, content_type="multipart/form-data")


def cpr(session) -> list[Credential]:
    omar = practitioner(session, AUTHORIZED)
    query = select(Credential).where(
        Credential.practitioner_id == omar.id,
        Credential.credential_type_code == "cpr_certification",
    )
    return list(session.scalars(query.order_by(Credential.id)))


@pytest.fixture
def added(client, manager, session) -> Credential:
    response = post(client, page(AUTHORIZED, "/credentials"), credential_form())
    assert response.status_code == 302, text(response)
    [credential] = cpr(session)
    return credential


# --- adding and renewing ----------------------------------------------------------------------


def test_a_credential_with_pdf_evidence_waits_for_verification(
    client, manager, added, session, folder
):
    assert added.verification_status.value == "pending" and added.evidence_ref
    assert added.entered_by == "Bow River Physio"
    assert (folder / added.evidence_ref).read_bytes() == PDF
    assert added.evidence_ref in {p.name for p in folder.iterdir()}
    event = actions(session, "credential.add")[-1]
    assert event.after["evidence_ref"] == added.evidence_ref and event.actor == manager.email
    html = text(client.get(page(AUTHORIZED)))
    assert "Credential added; it waits for verification." in html
    assert "Pending verification" in html and f"/clinic/evidence/{added.id}" in html


@pytest.mark.parametrize(
    ("content", "filename"), [(PNG, "scan.png"), (JPEG, "photo.JPG"), (JPEG, "photo.jpeg")]
)
def test_images_are_accepted_as_evidence(client, manager, session, content, filename):
    response = post(client, page(AUTHORIZED, "/credentials"), credential_form(content, filename))
    assert response.status_code == 302
    assert len(cpr(session)) == 1


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (EXE, "cert.pdf", "is not a PDF, PNG or JPEG file"),
        (b"just some text, honest", "cert.pdf", "is not a PDF, PNG or JPEG file"),
        (b"<html><script>alert(1)</script>", "cert.png", "is not a PDF, PNG or JPEG file"),
        (PDF, "cert.exe", "its name is"),
        (PDF, "cert.png", "its name is"),
        (b"", "cert.pdf", "is not a PDF, PNG or JPEG file"),
    ],
)
def test_files_that_are_not_pdf_or_images_are_refused(
    client, manager, session, folder, content, filename, message
):
    response = post(client, page(AUTHORIZED, "/credentials"), credential_form(content, filename))
    assert response.status_code == 400
    assert message in text(response)
    assert cpr(session) == [] and not any(folder.glob("*"))


def test_an_oversize_file_is_refused_and_not_kept(app, client, manager, session, folder):
    app.config["MAX_EVIDENCE_BYTES"] = 1024
    big = PDF + b"0" * 2000
    response = post(client, page(AUTHORIZED, "/credentials"), credential_form(big))
    assert response.status_code == 400
    assert "the file is larger than 1 KB" in text(response)
    assert cpr(session) == [] and not any(folder.glob("*"))


def test_evidence_is_required(client, manager, session):
    data = credential_form()
    del data["evidence"]
    response = post(client, page(AUTHORIZED, "/credentials"), data)
    assert response.status_code == 400 and "Attach the evidence file." in text(response)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_on": "2000-01-01"}, "is before the issue date"),
        ({"issued_on": "2026-13-01"}, "Not a valid date value"),
        ({"issued_on": ""}, "Enter a date (YYYY-MM-DD)."),
        ({"hours": "-3"}, "Number must be between 0 and"),
        ({"hours": "nan"}, "must be a number"),
        ({"hours": "10", "in_person_hours": "12"}, "exceed the total hours"),
        ({"sessions": "2.5"}, "Not a valid integer value"),
        ({"credential_type": "black_belt"}, "Not a valid choice"),
    ],
)
def test_bad_credential_input_re_renders_with_field_errors(
    client, manager, session, folder, fields, message
):
    response = post(client, page(AUTHORIZED, "/credentials"), credential_form(**fields))
    assert response.status_code == 400
    assert message in text(response)
    assert cpr(session) == [] and not any(folder.glob("*"))


def test_the_same_credential_twice_is_refused_and_its_file_discarded(client, added, folder):
    response = post(client, page(AUTHORIZED, "/credentials"), credential_form())
    assert response.status_code == 400
    assert "already on file" in text(response)
    assert {p.name for p in folder.iterdir()} == {added.evidence_ref, added.evidence_ref + ".json"}


def test_renewing_adds_a_new_credential_with_its_own_evidence(client, added, session):
    prefix, later = f"renew-{added.id}-", TODAY + timedelta(days=1)
    data = {
        prefix + "version": added.version,
        prefix + "issued_on": later.isoformat(),
        prefix + "expires_on": (later + timedelta(days=730)).isoformat(),
        prefix + "evidence": (io.BytesIO(PNG), "renewal.png"),
    }
    assert post(client, page(AUTHORIZED, f"/credentials/{added.id}/renew"), data).status_code == 302
    old, new = cpr(session)
    assert new.issued_on == later and new.issuer == "Red Cross" and new.credential_number == "RC-77"
    assert new.verification_status.value == "pending"
    assert new.evidence_ref not in (None, old.evidence_ref)
    assert actions(session, "credential.renew")[-1].after == {"renewed_by": new.id}


def test_a_renewal_from_a_stale_page_is_refused(client, added, session):
    prefix = f"renew-{added.id}-"
    stale = added.version
    added.issuer = "Red Cross Canada"  # someone else's change moves the version on
    session.flush()
    data = {
        prefix + "version": stale,
        prefix + "issued_on": TODAY.isoformat(),
        prefix + "evidence": (io.BytesIO(PDF), "renewal.pdf"),
    }
    response = post(client, page(AUTHORIZED, f"/credentials/{added.id}/renew"), data)
    assert response.status_code == 409 and "changed by someone else" in text(response)
    assert len(cpr(session)) == 1


def test_a_second_renewal_of_the_same_version_is_refused(client, added, session):
    """Two renewals from the same page: the first moves the version on, the second is 409."""
    prefix, version = f"renew-{added.id}-", added.version
    for issued, status in ((TODAY + timedelta(days=1), 302), (TODAY + timedelta(days=2), 409)):
        data = {
            prefix + "version": version,
            prefix + "issued_on": issued.isoformat(),
            prefix + "evidence": (io.BytesIO(PDF), "renewal.pdf"),
        }
        response = post(client, page(AUTHORIZED, f"/credentials/{added.id}/renew"), data)
        assert response.status_code == status, text(response)
    assert len(cpr(session)) == 2


@pytest.mark.parametrize(
    ("service", "refusal"),
    [
        ("renew_credential", InvalidInput({"issued_on": "is not a plausible date"})),
        ("renew_credential", StaleEdit("changed by someone else")),
        ("renew_credential", StaleDataError("UPDATE credentials matched no row")),
        ("renew_credential", OperationalError("UPDATE", {}, Exception("database is locked"))),
        ("add_credential", OperationalError("INSERT", {}, Exception("database is locked"))),
    ],
)
def test_a_change_not_saved_keeps_no_evidence_file(
    client, added, folder, monkeypatch, service, refusal
):
    """Refused, stale or cut short by the database (503): the uploaded file goes too."""

    def refuse(*_args, **_kwargs):
        raise refusal

    monkeypatch.setattr(f"registry.clinic.practitioner.{service}", refuse)
    prefix = f"renew-{added.id}-"
    data = {
        prefix + "version": added.version,
        prefix + "issued_on": TODAY.isoformat(),
        prefix + "evidence": (io.BytesIO(PDF), "renewal.pdf"),
    }
    url = page(AUTHORIZED, f"/credentials/{added.id}/renew")
    if service == "add_credential":
        data, url = credential_form(credential_number="RC-78"), page(AUTHORIZED, "/credentials")
    response = post(client, url, data)
    assert response.status_code in (400, 409, 503)
    assert {p.name for p in folder.iterdir()} == {added.evidence_ref, added.evidence_ref + ".json"}


def test_renewing_another_practitioners_credential_is_404(client, added, session):
    other = page("CA-AB/physiotherapist/AB-1001", f"/credentials/{added.id}/renew")
    assert post(client, other, {}).status_code == 404


# --- serving evidence -----------------------------------------------------------------------


def test_the_manager_downloads_the_evidence_safely(client, added):
    response = client.get(f"/clinic/evidence/{added.id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=cert.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("role", "scope", "status"),
    [
        ("regulator", {"jurisdictions": ["CA-AB"]}, 200),
        ("regulator", {"jurisdictions": ["CA-BC"]}, 404),
        ("admin", {}, 200),
        ("clinic_manager", {"clinics": [HARBOUR]}, 404),
        (None, {}, 302),
    ],
)
def test_evidence_goes_only_to_those_who_may_see_the_practitioner(
    app, added, make_user, role, scope, status
):
    user = make_user(role, **scope) if role else None
    response = client_for(app, user).get(f"/clinic/evidence/{added.id}")
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]
    if status == 404:
        assert PDF not in response.data


def test_evidence_of_a_credential_without_a_file_or_of_nothing_is_404(client, manager, session):
    [without] = [c for c in practitioner(session, AUTHORIZED).credentials][:1]
    assert client.get(f"/clinic/evidence/{without.id}").status_code == 404
    assert client.get("/clinic/evidence/999999").status_code == 404


def test_a_missing_file_is_404_not_an_error(client, added, folder):
    (folder / added.evidence_ref).unlink()
    assert client.get(f"/clinic/evidence/{added.id}").status_code == 404


def test_evidence_is_not_under_the_static_folder(app, added, folder):
    assert app.static_folder not in str(folder)
    assert app.test_client().get(f"/static/{added.evidence_ref}").status_code == 404


# --- the store itself -----------------------------------------------------------------------


class Upload:
    def __init__(self, content: bytes, filename: str | None):
        self.stream, self.filename = io.BytesIO(content), filename


def test_the_store_keeps_the_original_name_and_type_under_a_random_name(tmp_path):
    store = EvidenceStore(tmp_path, 1000)
    ref = store.store(Upload(PDF, "C:\\Users\\me\\My cert.pdf"))
    stored = store.open(ref)
    assert (stored.filename, stored.content_type, stored.size) == (
        "My cert.pdf",
        "application/pdf",
        len(PDF),
    )
    assert stored.path.name == ref != "My cert.pdf"
    assert stored.path.stat().st_mode & 0o077 == 0
    store.discard(ref)
    assert list(tmp_path.iterdir()) == []


def test_the_file_and_its_record_are_readable_by_the_server_alone(tmp_path):
    store = EvidenceStore(tmp_path / "evidence", 1000)
    ref = store.store(Upload(PDF, "cert.pdf"))
    for path in (tmp_path / "evidence", tmp_path / "evidence" / ref):
        assert path.stat().st_mode & 0o077 == 0, path
    assert (tmp_path / "evidence" / f"{ref}.json").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("filename", "kept"),
    [
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("é" * 250 + ".JPEG", "é" * 195 + ".JPEG"),
        ("scan" + ".png" * 80, "scan" + ".png" * 49),
    ],
)
def test_a_long_name_is_shortened_keeping_its_extension(tmp_path, filename, kept):
    content = JPEG if filename.endswith("JPEG") else PNG if filename.endswith("png") else PDF
    store = EvidenceStore(tmp_path, 1000)
    stored = store.open(store.store(Upload(content, filename)))
    assert stored.filename == kept and len(kept) == 200


@pytest.mark.parametrize("ref", ["../../etc/passwd", "", "a" * 32 + "/x", "ABCDEF" * 6])
def test_the_store_opens_only_its_own_references(tmp_path, ref):
    with pytest.raises(FileNotFoundError):
        EvidenceStore(tmp_path, 1000).open(ref)


def test_the_store_needs_a_name(tmp_path):
    with pytest.raises(InvalidInput):
        EvidenceStore(tmp_path, 1000).store(Upload(PDF, None))


@pytest.mark.parametrize(
    ("head", "kind"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (EXE, None)],
)
def test_sniffing_reads_the_first_bytes(head, kind):
    assert sniff(head) == kind


def test_evidence_stays_with_the_clinic_that_entered_it(app, added, make_user, session):
    """Once a second clinic's request is accepted, it sees the practitioner's contacts, but
    not the first clinic's evidence file; the practitioner downloads it."""
    harbour = clinic(session, HARBOUR)
    omar = practitioner(session, AUTHORIZED)
    session.add(
        ClinicStaff(clinic_id=harbour.id, practitioner_id=omar.id, status=LinkStatus.ACCEPTED)
    )
    other = make_user("clinic_manager", clinics=[HARBOUR])
    session.commit()
    visitor = client_for(app, other)
    assert visitor.get(page(AUTHORIZED)).status_code == 200
    assert visitor.get(f"/clinic/evidence/{added.id}").status_code == 404
    assert "on file, with the practitioner and their regulator" in text(
        visitor.get(page(AUTHORIZED))
    )
    me = client_for(app, own_account(session, omar))
    download = me.get(f"/clinic/evidence/{added.id}")
    assert download.status_code == 200 and download.data == PDF
    assert added.entered_by_clinic_id == clinic(session, BOW).id
