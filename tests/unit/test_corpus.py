"""Tests for swedish_topics.corpus: metadata reading and corpus validation.

Every kind of bad input must give a CorpusError whose message names the file and the
line or byte and says how to fix it; acceptable variants (BOM, CRLF, CR, Excel
semicolons) must validate.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from swedish_topics.corpus import (
    ValidationReport,
    doc_id_problem,
    facet_values,
    iter_documents,
    read_metadata,
    read_text,
    validate_corpus,
)
from swedish_topics.corpus import _metadata as metadata_module
from swedish_topics.errors import CorpusError

REPO = Path(__file__).resolve().parents[2]

TEXT = "Kommunen satsar på e-tjänster för medborgarna i Umeå och Växjö.\n"
METADATA = "doc_id,municipality,year\na,Lund,2018\nb,Umeå,2019\nc,Lund,2020\n"


def make_corpus(
    root: Path,
    metadata: str | bytes = METADATA,
    texts: Mapping[str, str | bytes] | None = None,
) -> Path:
    """Write a corpus folder; ``texts`` defaults to one ordinary text per row a, b, c."""
    corpus = root / "corpus"
    (corpus / "texts").mkdir(parents=True)
    data = metadata.encode("utf-8") if isinstance(metadata, str) else metadata
    (corpus / "metadata.csv").write_bytes(data)
    if texts is None:
        texts = {"a": TEXT, "b": TEXT, "c": TEXT}
    for name, content in texts.items():
        raw = content.encode("utf-8") if isinstance(content, str) else content
        (corpus / "texts" / (name if "." in name else f"{name}.txt")).write_bytes(raw)
    return corpus


def validate(corpus: Path, **options: object) -> ValidationReport:
    kwargs: dict[str, object] = {
        "facets": ["municipality", "year"],
        "numeric_facets": ["year"],
        "min_group_docs": 1,
        "max_text_mb": 50,
    }
    kwargs.update(options)
    return validate_corpus(corpus, **kwargs)  # type: ignore[arg-type]


def problems_of(corpus: Path, **options: object) -> str:
    with pytest.raises(CorpusError) as info:
        validate(corpus, **options)
    return str(info.value)


# --------------------------------------------------------------------------------------
# Accepted variants


def test_plain_corpus_validates(tmp_path: Path) -> None:
    report = validate(make_corpus(tmp_path))
    assert report.doc_ids == ["a", "b", "c"]
    assert report.n_docs == 3
    assert report.warnings == []
    assert report.groups == {
        "municipality": {"Lund": 2, "Umeå": 1},
        "year": {"2018": 1, "2019": 1, "2020": 1},
    }
    assert json.loads(json.dumps(report.to_json()))["doc_ids"] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("metadata", "delimiter"),
    [
        (METADATA, ","),
        ("\ufeff" + METADATA.replace(",", ";").replace("\n", "\r\n"), ";"),  # Excel
        (METADATA.replace(",", "\t"), "\t"),
        (METADATA.replace("\n", "\r"), ","),  # classic Mac line ends
        ('"doc_id","municipality","year"\n"a","Lund, Skåne","2018"\n', ","),
    ],
    ids=["comma", "excel-bom-semicolon-crlf", "tab", "cr-only", "quoted"],
)
def test_read_metadata_variants(tmp_path: Path, metadata: str, delimiter: str) -> None:
    path = tmp_path / "metadata.csv"
    path.write_bytes(metadata.encode("utf-8"))
    table = read_metadata(path)
    assert table.columns == ["doc_id", "municipality", "year"]
    assert table.delimiter == delimiter
    assert table.rows[0]["doc_id"] == "a"
    assert table.rows[0]["year"] == "2018"
    assert table.line_numbers[0] == 2


def test_read_metadata_line_numbers_skip_blank_lines_and_span_quoted_newlines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "metadata.csv"
    path.write_text('doc_id,title\na,"two\nlines"\n\nb,x\n,\n', encoding="utf-8")
    table = read_metadata(path)
    assert [row["doc_id"] for row in table.rows] == ["a", "b"]
    assert table.line_numbers == [2, 5]
    assert table.rows[0]["title"] == "two\nlines"


def test_excel_corpus_with_bom_crlf_texts_validates(tmp_path: Path) -> None:
    metadata = "\ufeffdoc_id;municipality;year\r\na;Lund;2018\r\nb;Umeå;2019\r\n"
    corpus = make_corpus(
        tmp_path,
        metadata,
        {
            "a": codecs.BOM_UTF8 + "Rad ett\r\nRad två\r\n".encode(),
            "b": b"Rad ett\rRad tv\xc3\xa5\r",
        },
    )
    report = validate(corpus)
    assert report.doc_ids == ["a", "b"]
    texts = dict(iter_documents(corpus, report.doc_ids))
    assert texts == {"a": "Rad ett\nRad två\n", "b": "Rad ett\nRad två\n"}


def test_read_text_strips_bom_and_normalises_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"a\r\nb\rc\n")
    assert read_text(path) == "a\nb\nc\n"


def test_one_document_corpus_validates(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, "doc_id,municipality,year\na,Lund,2018\n", {"a": TEXT})
    assert validate(corpus).n_docs == 1


def test_shipped_corpus_validates_without_errors() -> None:
    report = validate_corpus(
        REPO / "corpus",
        facets=["municipality", "year"],
        numeric_facets=["year"],
        min_group_docs=3,
        max_text_mb=50,
    )
    assert report.n_docs == len(list((REPO / "corpus" / "texts").glob("*.txt")))
    assert report.n_docs >= 5


def test_facet_values_sorted_numerically(tmp_path: Path) -> None:
    path = tmp_path / "metadata.csv"
    path.write_text("doc_id,year,town\na,2019,Ö\nb,999,A\nc,2019,\n", encoding="utf-8")
    values = facet_values(read_metadata(path), ["year", "town"])
    assert values == {"year": ["999", "2019"], "town": ["A", "Ö"]}


# --------------------------------------------------------------------------------------
# metadata.csv problems


def test_missing_metadata(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    (corpus / "metadata.csv").unlink()
    message = problems_of(corpus)
    assert "metadata.csv not found" in message
    assert "doc_id" in message


def test_missing_doc_id_column_suggests_nearest(tmp_path: Path) -> None:
    path = tmp_path / "metadata.csv"
    path.write_text("Doc ID,municipality,year\na,Lund,2018\n", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        read_metadata(path)
    message = str(info.value)
    assert f"{path} line 1" in message
    assert "'Doc ID', 'municipality', 'year'" in message
    assert "Did you mean 'Doc ID'?" in message


def test_metadata_not_utf8_names_byte_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "metadata.csv"
    path.write_bytes("doc_id,municipality\na,Malmö\n".encode("cp1252"))
    with pytest.raises(CorpusError) as info:
        read_metadata(path)
    message = str(info.value)
    assert "byte 26 (line 2, byte 7 of the line) is 0xF6" in message
    assert "Windows-1252" in message
    assert "CSV UTF-8" in message


@pytest.mark.parametrize(
    ("tail", "found"),
    [
        (b"c,Malm\xf6\n", "byte 34 (line 3, byte 7 of the line) is 0xF6"),
        (b"c,Malm\xc3", "byte 34 (line 3, byte 7 of the line) is 0xC3"),  # cut off at the end
        (b"c,Malm\x00\n", "contains NUL bytes, the first at byte 34 (line 3, byte 7"),
    ],
    ids=["latin1", "truncated", "nul"],
)
def test_metadata_read_in_chunks_names_the_bad_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tail: bytes, found: str
) -> None:
    # metadata.csv is checked a chunk at a time: a bad byte in a later chunk, or cut off
    # at the very end, is still named by its place in the whole file.
    monkeypatch.setattr(metadata_module, "_CHUNK_BYTES", 4)
    path = tmp_path / "metadata.csv"
    path.write_bytes("doc_id,municipality\na,Umeå\n".encode() + tail)
    with pytest.raises(CorpusError) as info:
        read_metadata(path)
    assert found in str(info.value)


def test_metadata_read_in_chunks_keeps_characters_cut_by_chunk_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    metadata = "\ufeffdoc_id;municipality;year\r\na;Umeå;2018\r\nb;Växjö;2019\r\nc;Åre;2020\r\n"
    expected = validate(make_corpus(tmp_path / "whole", metadata)).to_json()
    for size in (1, 2, 3, 5):  # every split of the two-byte å, ä, ö and the BOM
        monkeypatch.setattr(metadata_module, "_CHUNK_BYTES", size)
        corpus = make_corpus(tmp_path / f"chunks{size}", metadata)
        assert validate(corpus).to_json() == expected
        assert read_metadata(corpus / "metadata.csv").rows[1]["municipality"] == "Växjö"


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b" \r\n\t\n", "\u2028\u3000\n".encode()])
def test_metadata_of_only_whitespace_is_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "metadata.csv"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=r"is empty\. Give it a header line"):
        read_metadata(path)


@pytest.mark.parametrize(
    ("metadata", "line", "hint"),
    [
        ("doc_id,municipality,year\na,Lund,2018\nb;Umeå;2019\n", 3, "mixed delimiters"),
        ("doc_id,municipality,year\na,Lund,Skåne,2018\n", 2, "wrap such a value in double"),
        ("doc_id,municipality,year\na,Lund\n", 2, "a value is missing"),
    ],
    ids=["mixed-delimiters", "unquoted-delimiter", "missing-field"],
)
def test_wrong_field_count_names_line(tmp_path: Path, metadata: str, line: int, hint: str) -> None:
    path = tmp_path / "metadata.csv"
    path.write_text(metadata, encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        read_metadata(path)
    message = str(info.value)
    assert f"{path} line {line} has" in message
    assert hint in message


@pytest.mark.parametrize(
    ("metadata", "line"),
    [
        ('doc_id,title\na,ok\nb,"never closed\nc,x\n', 3),
        ('doc_id,title\na,ok\nb,"say "hi""\n', 3),
    ],
    ids=["unclosed-quote", "stray-quote"],
)
def test_bad_quoting_names_line(tmp_path: Path, metadata: str, line: int) -> None:
    path = tmp_path / "metadata.csv"
    path.write_text(metadata, encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        read_metadata(path)
    message = str(info.value)
    assert f"{path} line {line}" in message
    assert "quote" in message


# --------------------------------------------------------------------------------------
# Texts versus rows, ids


def test_text_without_row_and_row_without_text(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, texts={"a": TEXT, "b": TEXT, "extra": TEXT})
    message = problems_of(corpus)
    assert f"{corpus / 'metadata.csv'} line 4: doc_id 'c' has no text" in message
    assert f"{corpus / 'texts' / 'extra.txt'} has no row" in message


def test_row_without_text_hints_at_case_difference(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, texts={"a": TEXT, "b": TEXT, "C": TEXT})
    assert "differs from it only in upper/lower case" in problems_of(corpus)


def test_duplicate_ids_name_both_lines(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, METADATA + "b,Lund,2021\n")
    message = problems_of(corpus)
    assert f"{corpus / 'metadata.csv'} lines 3 and 5 both have doc_id 'b'" in message


def test_ids_that_differ_only_in_case_name_the_first_such_id(tmp_path: Path) -> None:
    rows = ["A,Lund,2018", "b,Lund,2018", "a,Lund,2018", "A,Lund,2018", "B,Lund,2018"]
    metadata = "doc_id,municipality,year\n" + "\n".join(rows) + "\n"
    corpus = make_corpus(tmp_path / "dup", metadata, texts=dict.fromkeys("AbaB", TEXT))
    message = problems_of(corpus)
    assert f"{corpus / 'metadata.csv'} lines 2 and 5 both have doc_id 'A'" in message
    corpus = make_corpus(tmp_path / "ok", metadata.replace("A,Lund,2018\nB", "B"), texts={})
    for name in "AbaB":
        (corpus / "texts" / f"{name}.txt").write_text(TEXT, encoding="utf-8")
    warnings = [w for w in validate(corpus).warnings if "only in upper/lower case" in w]
    assert len(warnings) == 2
    assert "line 4: doc_id 'a' differs from 'A' (line 2)" in warnings[0]
    assert "line 5: doc_id 'B' differs from 'b' (line 3)" in warnings[1]


@pytest.mark.parametrize(
    ("doc_id", "reason"),
    [
        ("dir/a", "path separator"),
        ("dir\\a", "path separator"),
        ("..", "starts with '.'"),
        (".hidden", "starts with '.'"),
        ("a b", "SPACE"),
        ("a:b", "COLON"),
        ("a<b>", "LESS-THAN SIGN"),
        ("tab\there", "control character U+0009"),
        ("a\u030a", "decomposed Unicode"),
        ("-a", "start with a letter or digit"),
        ("end.", "ends with '.'"),
        ("CON", "reserved device name"),
        ("x" * 252, "too long"),
    ],
)
def test_unsafe_doc_ids(doc_id: str, reason: str) -> None:
    problem = doc_id_problem(doc_id)
    assert problem is not None
    assert reason in problem


@pytest.mark.parametrize("doc_id", ["a", "000_d05961ad", "Umeå-2019.v2", "ÅÄÖ", "ipq-199495--0001"])
def test_safe_doc_ids(doc_id: str) -> None:
    assert doc_id_problem(doc_id) is None


@pytest.mark.parametrize("doc_id", ["../evil", "..", "a b"])
def test_unsafe_id_in_metadata_names_line_and_suggests(tmp_path: Path, doc_id: str) -> None:
    corpus = make_corpus(tmp_path, METADATA + f'"{doc_id}",Lund,2018\n')
    message = problems_of(corpus)
    assert f"{corpus / 'metadata.csv'} line 5: doc_id '{doc_id}'" in message
    assert "rename it, e.g. to" in message


# --------------------------------------------------------------------------------------
# Facets


def test_missing_facet_suggests_nearest_column(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    message = problems_of(corpus, facets=["municipalty", "year"])
    assert "has no column 'municipalty'" in message
    assert "Did you mean 'municipality'?" in message


def test_empty_facet_value_names_line(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, "doc_id,municipality,year\na,Lund,2018\nb,,2019\nc,Lund,2020\n")
    message = problems_of(corpus)
    assert "column 'municipality' is empty on 1 line(s): 3." in message


@pytest.mark.parametrize(
    ("value", "hint"), [("2019.0", "write '2019'"), ("tjugo", "not an integer"), ("2019-05", "")]
)
def test_non_integer_year_names_line_and_value(tmp_path: Path, value: str, hint: str) -> None:
    corpus = make_corpus(tmp_path, METADATA.replace("2019", value))
    message = problems_of(corpus)
    assert f"{corpus / 'metadata.csv'} line 3: 'year' is '{value}', which is not an integer" in (
        message
    )
    assert hint in message


def test_far_outlier_year_is_a_warning(tmp_path: Path) -> None:
    rows = [f"d{i},Lund,{2015 + i % 6}" for i in range(12)] + ["typo,Lund,2109"]
    texts = {f"d{i}": TEXT for i in range(12)} | {"typo": TEXT}
    corpus = make_corpus(tmp_path, "doc_id,municipality,year\n" + "\n".join(rows) + "\n", texts)
    report = validate(corpus)
    assert report.n_docs == 13
    outliers = [w for w in report.warnings if "far from the other values" in w]
    assert len(outliers) == 1
    assert "line 14: 'year' is 2109" in outliers[0]


def test_small_groups_are_warnings(tmp_path: Path) -> None:
    report = validate(make_corpus(tmp_path), min_group_docs=2)
    small = [w for w in report.warnings if "fewer than min_group_docs = 2" in w]
    assert any("Facet 'municipality' value 'Umeå' has only 1 document(s)" in w for w in small)
    assert not any("'Lund'" in w for w in small)
    assert len(small) == 4  # Umeå, 2018, 2019, 2020


# --------------------------------------------------------------------------------------
# Text content


def test_latin1_text_names_byte_and_conversion(tmp_path: Path) -> None:
    corpus = make_corpus(
        tmp_path, texts={"a": TEXT, "b": "Rad ett\nVäxjö\n".encode("latin-1"), "c": TEXT}
    )
    message = problems_of(corpus)
    path = corpus / "texts" / "b.txt"
    assert f"{path} is not valid UTF-8: byte 9 (line 2, byte 2 of the line) is 0xE4" in message
    assert "Windows-1252" in message
    assert "iconv -f WINDOWS-1252 -t UTF-8" in message


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"], ids=["with-bom", "without-bom"])
def test_utf16_text_is_recognised(tmp_path: Path, codec: str) -> None:
    corpus = make_corpus(tmp_path, texts={"a": TEXT, "b": TEXT.encode(codec), "c": TEXT})
    message = problems_of(corpus)
    assert f"{corpus / 'texts' / 'b.txt'} is UTF-16" in message
    assert "iconv -f UTF-16 -t UTF-8" in message


def test_nul_bytes_name_offset(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, texts={"a": TEXT, "b": b"Hej\nd\x00\xe5\n", "c": TEXT})
    message = problems_of(corpus)
    assert f"{corpus / 'texts' / 'b.txt'} contains 1 NUL byte(s), the first at byte 5 (line 2" in (
        message
    )


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive"),
        (bytes(range(256)) * 4, "binary file"),
    ],
    ids=["pdf", "docx", "random-bytes"],
)
def test_binary_file_is_refused(tmp_path: Path, content: bytes, what: str) -> None:
    corpus = make_corpus(tmp_path, texts={"a": TEXT, "b": content, "c": TEXT})
    message = problems_of(corpus)
    assert str(corpus / "texts" / "b.txt") in message
    assert what in message


@pytest.mark.parametrize(
    ("content", "what"), [(b"", "is empty (0 bytes)"), (b" \n\t\r\n", "only whitespace")]
)
def test_empty_text(tmp_path: Path, content: bytes, what: str) -> None:
    corpus = make_corpus(tmp_path, texts={"a": TEXT, "b": content, "c": TEXT})
    message = problems_of(corpus)
    assert f"{corpus / 'texts' / 'b.txt'} " in message
    assert what in message


def test_oversized_text_names_size_and_config_key(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, texts={"a": TEXT, "b": "ord " * 300_000, "c": TEXT})
    message = problems_of(corpus, max_text_mb=1)
    assert f"{corpus / 'texts' / 'b.txt'} is 1.2 MB, above the limit" in message
    assert "preprocess.max_text_mb = 1 MB" in message


def test_non_txt_files_are_warnings(tmp_path: Path) -> None:
    texts = {"a": TEXT, "b": TEXT, "c": TEXT, "notes.docx": b"PK", ".DS_Store": b"\x00"}
    report = validate(make_corpus(tmp_path, texts=texts))
    assert len(report.warnings) == 1
    assert "notes.docx does not end in .txt and is ignored" in report.warnings[0]


def test_double_encoded_text_is_a_warning(tmp_path: Path) -> None:
    garbled = "Växjö".encode().decode("latin-1")
    report = validate(make_corpus(tmp_path, texts={"a": TEXT, "b": f"Rad\n{garbled}\n", "c": TEXT}))
    assert any("b.txt line 2" in w and "double" in w for w in report.warnings)


def test_read_text_raises_corpus_error_for_latin1(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes("å".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"x\.txt is not valid UTF-8: byte 0"):
        read_text(path)


@pytest.mark.parametrize(
    "data",
    [
        b"plain text\n",
        codecs.BOM_UTF8 + "å\r\nä\rö".encode(),
        b"",
        "å".encode("latin-1"),
        codecs.BOM_UTF8 + b"\xff",
        "Text".encode("utf-16-le"),  # no BOM: every other byte is NUL
        codecs.BOM_UTF16_LE + "Text".encode("utf-16-le"),
        codecs.BOM_UTF32_BE + "Text".encode("utf-32-be"),
        b"a\x00b",
        b"PK\x03\x04 valid UTF-8 but a ZIP archive",
        b"%PDF-1.4",
        b"{\\rtf1 text",
        b"GIF89a",
    ],
)
def test_iter_documents_reads_and_refuses_as_read_text(tmp_path: Path, data: bytes) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "d.txt").write_bytes(data)
    try:
        expected = read_text(texts / "d.txt")
    except CorpusError as err:
        with pytest.raises(CorpusError) as raised:
            list(iter_documents(tmp_path, ["d"]))
        assert str(raised.value) == str(err)
    else:
        assert list(iter_documents(tmp_path, ["d"])) == [("d", expected)]
        assert data.startswith(codecs.BOM_UTF8) or expected.encode() == data.replace(b"\r", b"")


def test_iter_documents_missing_text_raises_as_read_text(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    with pytest.raises(FileNotFoundError) as raised:
        list(iter_documents(tmp_path, ["gone"]))
    assert raised.value.filename == str(tmp_path / "texts" / "gone.txt")


# --------------------------------------------------------------------------------------
# Everything at once


def test_missing_folders(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"does not exist.*--config corpus="):
        validate(tmp_path / "nowhere")
    corpus = make_corpus(tmp_path)
    for path in (corpus / "texts").iterdir():
        path.unlink()
    (corpus / "texts").rmdir()
    assert f"The folder {corpus / 'texts'} does not exist" in problems_of(corpus)


def test_several_problems_are_reported_at_once(tmp_path: Path) -> None:
    metadata = "doc_id,municipality,year\na,Lund,2018\nb,,2019\na,Lund,2020\nd/e,Lund,x\n"
    texts = {"a": "Växjö".encode("latin-1"), "b": b"", "orphan": TEXT}
    corpus = make_corpus(tmp_path, metadata, texts)
    message = problems_of(corpus)
    assert "problems were found" in message
    for expected in (
        "a.txt is not valid UTF-8",
        "b.txt is empty",
        "orphan.txt has no row",
        "lines 2 and 4 both have doc_id 'a'",
        "line 5: doc_id 'd/e'",
        "'municipality' is empty on 1 line(s): 3",
    ):
        assert expected in message
    # one paragraph per problem, numbered
    paragraphs = message.split("\n\n")
    assert len(paragraphs) == 1 + 6
    assert all("\n" not in p for p in paragraphs)


def test_many_problems_of_one_kind_are_summarised(tmp_path: Path) -> None:
    rows = "".join(f"id{i},Lund,2018\n" for i in range(30))
    corpus = make_corpus(tmp_path, "doc_id,municipality,year\n" + rows, texts={})
    message = problems_of(corpus)
    assert message.count("has no text") == 10
    assert "and 20 more like the above (metadata rows without a text)" in message


def test_metadata_without_rows_is_refused(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, "doc_id,municipality,year\n", texts={})
    assert "has a header but no rows" in problems_of(corpus)


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_read_metadata_keeps_only_the_columns_asked_for(tmp_path: Path, line_end: str) -> None:
    path = tmp_path / "metadata.csv"
    text = 'doc_id,title,year\na,"two\nlines",2018\n\nb,"x, y",2019\n'.replace("\n", line_end)
    path.write_text(text, encoding="utf-8", newline="")
    full = read_metadata(path)
    table = read_metadata(path, ["year"])
    assert table.columns == ["doc_id", "title", "year"]  # the header is unchanged
    assert table.rows == [{"doc_id": r["doc_id"], "year": r["year"]} for r in full.rows]
    assert table.line_numbers == full.line_numbers == [2, 5]
    assert full.rows[0]["title"] == f"two{line_end}lines"
