"""Partner contacts from a spreadsheet: a preview that checks every row, then an
all-or-nothing import of the rows the person has confirmed.

The preview is kept in the importer's session (as JSON) between the two steps,
so nothing is written to the contacts until they confirm what they saw.
"""

import csv
import io
import secrets
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from hub.accounts.models import Sector
from hub.audit.services import audit_record
from hub.broadcasts.contacts import email_normalise
from hub.broadcasts.models import Audience, Contact, LawfulBasis, Suppression
from hub.core.errors import ApplicationError

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("name", "email", "organisation", "sector", "role", "audiences", "lawful_basis")
REQUIRED_COLUMNS = ("name", "email")
# Other headings people use for the same columns.
ALIASES = {
    "full_name": "name",
    "email_address": "email",
    "e-mail": "email",
    "organization": "organisation",
    "job_role": "role",
    "audience": "audiences",
}
TEXT_LIMITS = {"name": 200, "organisation": 200, "role": 200, "email": 254}
# Only the latest preview is kept: a session holds one import in progress.
SESSION_KEY = "broadcasts_import"


@dataclass
class PreviewRow:
    number: int  # the row as a spreadsheet numbers it: the header is row 1
    name: str = ""
    email: str = ""
    organisation: str = ""
    sector: str = ""
    role: str = ""
    lawful_basis: str = ""
    audience_ids: list[int] = field(default_factory=list)
    audience_names: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    existing: bool = False  # the address is already a contact: the row updates it
    suppressed: bool = False  # on the suppression list (for everything or some audience)

    @property
    def valid(self) -> bool:
        return not self.errors

    def get_sector_display(self) -> str:
        return Sector(self.sector).label if self.sector else ""

    def get_lawful_basis_display(self) -> str:
        return LawfulBasis(self.lawful_basis).label if self.lawful_basis else ""


@dataclass
class ImportPreview:
    rows: list[PreviewRow]
    default_lawful_basis: str
    filename: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    preview_id: str = ""

    @property
    def valid_rows(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.valid]

    @property
    def invalid_rows(self) -> list[PreviewRow]:
        return [row for row in self.rows if not row.valid]

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.valid_rows if not row.existing)

    @property
    def update_count(self) -> int:
        return sum(1 for row in self.valid_rows if row.existing)

    @property
    def suppressed_count(self) -> int:
        return sum(1 for row in self.valid_rows if row.suppressed)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ImportPreview":
        rows = [PreviewRow(**row) for row in data["rows"]]
        return cls(**{**data, "rows": rows})


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    skipped: int


# --- Reading the file ------------------------------------------------------------------


def _file_text(file) -> str:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ApplicationError("The selected file must be smaller than 2 MB", field="file")
    raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ApplicationError("The selected file must be smaller than 2 MB", field="file")
    if not raw.strip():
        raise ApplicationError("The selected file is empty", field="file")
    # UTF-8 (with or without the BOM Excel adds), else the Windows encoding older
    # Excel saves "CSV" in (five bytes have no Windows-1252 character, so it can
    # still fail); UTF-16 when it starts with that BOM (Excel's "Unicode text").
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    encodings = ("utf-16",) if utf16 else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise ApplicationError("The selected file must be a CSV file (a spreadsheet saved as CSV)", field="file")


def _lookup(choices: list[tuple[str, str]]) -> dict[str, str]:
    """Both the stored value and the label, lower-case, to the stored value."""
    table = {}
    for value, label in choices:
        table[value.lower()] = value
        table[label.lower()] = value
        table[value.replace("_", " ").lower()] = value
    return table


def _shown(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _delimiter(text: str) -> str:
    """Commas, unless the header row is separated by semicolons or tabs (as some
    spreadsheet programs save "CSV" and "Unicode text")."""
    first_line = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first_line.count)


def _cell(record: list[str], index: int | None) -> str:
    return record[index].strip() if index is not None and index < len(record) else ""


def import_preview(file, *, default_lawful_basis: str) -> ImportPreview:
    """Check every row of an uploaded CSV file; write nothing."""
    if default_lawful_basis not in LawfulBasis.values:
        raise ApplicationError("Select the lawful basis for contacting them", field="lawful_basis")
    text = _file_text(file)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as error:
        raise ApplicationError("The selected file could not be read as a CSV file", field="file") from error
    if not records:
        raise ApplicationError("The selected file is empty", field="file")

    header = [cell.strip().lower().replace(" ", "_") for cell in records[0]]
    positions: dict[str, int] = {}
    ignored = []
    for index, heading in enumerate(ALIASES.get(heading, heading) for heading in header):
        if heading in COLUMNS and heading not in positions:
            positions[heading] = index
        elif heading:
            ignored.append(records[0][index].strip())
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise ApplicationError(
            "The first row of the file must name the columns, including 'name' and 'email'", field="file"
        )

    # Keep the spreadsheet's row numbers: blank lines still count.
    numbered = [
        (number, record) for number, record in enumerate(records[1:], start=2) if any(c.strip() for c in record)
    ]
    if not numbered:
        raise ApplicationError("The selected file has no contacts in it, only a header row", field="file")
    if len(numbered) > MAX_ROWS:
        raise ApplicationError(
            f"The selected file has {len(numbered):,} contacts: import at most {MAX_ROWS:,} at a time", field="file"
        )

    audiences: dict[str, Audience] = {}
    for audience in Audience.objects.all():
        audiences[audience.name.lower()] = audience
        audiences[audience.slug.lower()] = audience
    sectors = _lookup(Sector.choices)
    bases = _lookup(LawfulBasis.choices)

    rows: list[PreviewRow] = []
    first_row_of: dict[str, int] = {}
    for number, record in numbered:
        cells = {name: _cell(record, positions.get(name)) for name in COLUMNS}
        row = PreviewRow(number=number)
        rows.append(row)
        if not cells["name"]:
            row.errors.append(f"Row {number}: name is missing")
        for name in ("name", "organisation", "role"):
            value = cells[name]
            if len(value) > TEXT_LIMITS[name]:
                row.errors.append(f"Row {number}: {name} must be {TEXT_LIMITS[name]} characters or fewer")
            setattr(row, name, value)

        typed_email = cells["email"]
        if not typed_email:
            row.errors.append(f"Row {number}: email is missing")
        else:
            try:
                row.email = email_normalise(typed_email)
            except ApplicationError:
                row.email = typed_email
                row.errors.append(f"Row {number}: email '{_shown(typed_email)}' is not an email address")
            else:
                if len(row.email) > TEXT_LIMITS["email"]:
                    row.errors.append(f"Row {number}: email must be {TEXT_LIMITS['email']} characters or fewer")
                if row.email in first_row_of:
                    row.errors.append(f"Row {number}: email also on row {first_row_of[row.email]}")
                else:
                    first_row_of[row.email] = number

        sector = cells["sector"]
        if sector:
            row.sector = sectors.get(sector.lower(), "")
            if not row.sector:
                row.errors.append(f"Row {number}: unknown sector '{_shown(sector)}'")

        basis = cells["lawful_basis"]
        row.lawful_basis = bases.get(basis.lower(), "") if basis else default_lawful_basis
        if not row.lawful_basis:
            row.errors.append(f"Row {number}: unknown lawful basis '{_shown(basis)}'")

        for typed in (part.strip() for part in cells["audiences"].replace("|", ";").split(";")):
            if not typed:
                continue
            audience = audiences.get(typed.lower()) or audiences.get(slugify(typed))
            if audience is None:
                row.errors.append(f"Row {number}: unknown audience '{_shown(typed)}'")
            elif audience.pk not in row.audience_ids:
                row.audience_ids.append(audience.pk)
                row.audience_names.append(audience.name)

    emails = [row.email for row in rows if row.valid]
    existing = set(Contact.objects.filter(email__in=emails).values_list("email", flat=True))
    suppressed = set(Suppression.objects.filter(email__in=emails).values_list("email", flat=True))
    for row in rows:
        if row.valid:
            row.existing = row.email in existing
            row.suppressed = row.email in suppressed
    return ImportPreview(
        rows=rows,
        default_lawful_basis=default_lawful_basis,
        filename=_shown(getattr(file, "name", "") or "", 100),
        ignored_columns=ignored,
    )


# --- Between the steps: the importer's session -------------------------------------------


def import_preview_store(request: HttpRequest, preview: ImportPreview) -> str:
    """Keep the preview for the confirm step; returns its id. Replaces any earlier one."""
    preview.preview_id = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = preview.to_json()
    return preview.preview_id


def import_preview_load(request: HttpRequest, preview_id: str) -> ImportPreview:
    data = request.session.get(SESSION_KEY)
    if not data or not preview_id or not secrets.compare_digest(str(data.get("preview_id", "")), preview_id):
        raise ApplicationError("This import has expired or was replaced by another. Upload the file again.")
    return ImportPreview.from_json(data)


# --- Confirming ------------------------------------------------------------------------


def import_confirm(preview_id: str, *, include_valid_only: bool, actor, request: HttpRequest) -> ImportResult:
    """Create or update the contacts of the confirmed preview in one transaction.

    Refused when rows have errors and the person has not confirmed importing only
    the valid ones. An address already a contact is updated: blank cells keep what
    it had, and its audiences are added to (never taken away)."""
    preview = import_preview_load(request, preview_id)
    valid, invalid = preview.valid_rows, preview.invalid_rows
    if invalid and not include_valid_only:
        rows = "1 row has" if len(invalid) == 1 else f"{len(invalid)} rows have"
        only = "the 1 valid row" if len(valid) == 1 else f"the {len(valid)} valid rows"
        raise ApplicationError(f"{rows} errors. Fix the file or confirm importing only {only}", code="has_errors")
    if not valid:
        raise ApplicationError("There are no valid rows to import. Fix the file and upload it again")

    audience_ids = {pk for row in valid for pk in row.audience_ids}
    if Audience.objects.filter(pk__in=audience_ids).count() != len(audience_ids):
        raise ApplicationError("An audience in this file has been removed since the preview. Upload the file again")

    try:
        with transaction.atomic():
            result = _write(valid, skipped=len(invalid))
            audit_record(
                action="broadcasts.contacts_imported",
                actor=actor,
                request=request,
                object_type=Contact._meta.label_lower,
                detail={"created": result.created, "updated": result.updated, "skipped": result.skipped},
            )
    except IntegrityError as error:
        # Someone added one of these addresses between our check and our insert.
        raise ApplicationError("The contacts changed while importing. Nothing was imported: try again") from error
    request.session.pop(SESSION_KEY, None)
    return result


def _write(rows: list[PreviewRow], *, skipped: int) -> ImportResult:
    now = timezone.now()
    by_email = {row.email: row for row in rows}
    existing = {
        contact.email: contact
        for contact in Contact.objects.select_for_update().filter(email__in=list(by_email)).order_by("pk")
    }
    changed: list[Contact] = []
    new: list[Contact] = []
    for email, row in by_email.items():
        contact = existing.get(email)
        if contact is None:
            new.append(
                Contact(
                    name=row.name,
                    email=email,
                    organisation=row.organisation,
                    sector=row.sector,
                    role=row.role,
                    lawful_basis=row.lawful_basis,
                )
            )
            continue
        contact.name = row.name
        contact.lawful_basis = row.lawful_basis
        for name in ("organisation", "sector", "role"):
            if getattr(row, name):
                setattr(contact, name, getattr(row, name))
        contact.updated_at = now  # bulk_update skips auto_now
        changed.append(contact)
    Contact.objects.bulk_create(new, batch_size=500)
    Contact.objects.bulk_update(
        changed, ["name", "organisation", "sector", "role", "lawful_basis", "updated_at"], batch_size=500
    )

    ids = dict(Contact.objects.filter(email__in=list(by_email)).values_list("email", "pk"))
    Membership = Contact.audiences.through
    wanted = {(ids[email], pk) for email, row in by_email.items() for pk in row.audience_ids}
    if wanted:
        contact_ids = {contact_id for contact_id, _ in wanted}
        have = set(Membership.objects.filter(contact_id__in=contact_ids).values_list("contact_id", "audience_id"))
        Membership.objects.bulk_create(
            [
                Membership(contact_id=contact_id, audience_id=audience_id)
                for contact_id, audience_id in sorted(wanted - have)
            ],
            batch_size=500,
        )
    return ImportResult(created=len(new), updated=len(changed), skipped=skipped)
