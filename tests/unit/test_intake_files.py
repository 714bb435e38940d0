"""Reading files as spreadsheets save them: encodings, delimiters, quoting, blank lines."""

from __future__ import annotations

import codecs

import pytest

from api.intake import IntakeError, parse_leads
from api.intake.decoding import decode_bytes, sniff_delimiter

HEADER = "company_name,website,phone,city,state"


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return newline.join(lines).encode(encoding)


def test_utf8_with_byte_order_mark_reads_the_first_column_name_cleanly() -> None:
    # Given a file saved by Excel as "CSV UTF-8", which starts with a BOM
    data = codecs.BOM_UTF8 + csv_bytes(HEADER, "Café Solar,cafesolar.com,,Austin,TX")

    # When it is parsed
    result = parse_leads(data)

    # Then the first column is recognised and the accent survives
    assert [lead["company_name"] for lead in result.leads] == ["Café Solar"]
    assert result.rejections == []


def test_windows_1252_bytes_are_decoded_without_mojibake() -> None:
    # Given a file saved by an older Excel in Windows-1252 (é is one byte, ’ is 0x92)
    data = csv_bytes(HEADER, "Café O’Brien Power,obrienpower.com,,Boston,MA", encoding="cp1252")

    result = parse_leads(data)

    assert result.leads[0]["company_name"] == "Café O’Brien Power"
    assert result.leads[0]["name_key"] == "cafe obrien power"


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    assert decode_bytes(b"Caf\xe9 \x81") == "Café \x81"


def test_utf16_from_excel_unicode_text_is_read_with_its_tabs() -> None:
    text = "company_name\twebsite\nSummit Solar\tsummitsolar.com\n"
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")

    result = parse_leads(data)

    assert result.leads[0]["domain"] == "summitsolar.com"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_taken_from_the_header_line(delimiter: str) -> None:
    # Given a European Excel export: semicolons, and commas inside values
    header = delimiter.join(["company_name", "website", "city", "notes"])
    row = delimiter.join(["Smith Electric, Inc.", "smith.com", "Austin", "a, b, c"])

    result = parse_leads(f"{header}\n{row}\n")

    lead = result.leads[0]
    assert lead["company_name"] == "Smith Electric, Inc."
    assert lead["raw"] == {"notes": "a, b, c"}


def test_excel_sep_hint_line_sets_the_delimiter() -> None:
    result = parse_leads("sep=;\ncompany_name;website\nSmith, Jones & Co;smithjones.com\n")

    assert result.leads[0]["company_name"] == "Smith, Jones & Co"


def test_sniffing_ignores_delimiters_inside_quotes() -> None:
    assert sniff_delimiter('"name; with; semis",website,phone\n') == ","
    assert sniff_delimiter("just_one_column\n") == ","


def test_quoted_commas_and_newlines_stay_inside_their_cell() -> None:
    # Given a dealer whose name has a comma and whose street spans two lines
    data = (
        "name,phone,street,city,state\r\n"
        '"Smith Electric, Inc.",(512) 555-0100,"1200 Commerce Dr\r\nSuite 4",Austin,TX\r\n'
        "Jones Power,512-555-0101,12 Main St,Austin,TX\r\n"
    )

    result = parse_leads(data.encode())

    # Then both rows are leads, numbered as rows rather than lines
    assert [(lead["csv_index"], lead["company_name"]) for lead in result.leads] == [
        (1, "Smith Electric, Inc."),
        (2, "Jones Power"),
    ]
    assert result.leads[0]["street"] == "1200 Commerce Dr Suite 4"


def test_blank_lines_are_skipped_and_not_counted() -> None:
    # Given blank lines around the header and a line of only delimiters, as exports leave
    data = csv_bytes(
        "", HEADER, "", "Alpha Solar,alphasolar.com,,,", ",,,,", "   ",
        "Beta Solar,betasolar.com,,,", "",
    )

    result = parse_leads(data)

    assert result.total_rows == 2
    assert [lead["csv_index"] for lead in result.leads] == [1, 2]
    assert result.rejections == []


def test_old_mac_line_endings_are_rows_too() -> None:
    result = parse_leads(csv_bytes(HEADER, "Alpha Solar,alphasolar.com,,,", newline="\r"))

    assert result.leads[0]["company_name"] == "Alpha Solar"


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", codecs.BOM_UTF8])
def test_a_file_without_a_header_is_refused_with_a_clear_message(data: bytes) -> None:
    with pytest.raises(IntakeError, match="empty"):
        parse_leads(data)


def test_a_header_of_only_delimiters_is_refused() -> None:
    with pytest.raises(IntakeError, match="header row is empty"):
        parse_leads(",,,\nAlpha,alpha.com,,\n")


def test_a_header_without_a_company_column_names_what_it_expected() -> None:
    with pytest.raises(IntakeError, match="no company name column") as raised:
        parse_leads("website,phone\nalpha.com,512-555-0100\n")

    assert "company_name" in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_header_only_file_has_no_rows() -> None:
    result = parse_leads(HEADER + "\n")

    assert (result.total_rows, result.leads, result.rejections) == (0, [], [])


def test_form_feeds_and_unicode_line_separators_stay_inside_cells() -> None:
    result = parse_leads('company,website,notes\nAcme,acme.com,"page\fbreak\u2028here"\n')

    assert result.leads[0]["raw"] == {"notes": "page\fbreak\u2028here"}
