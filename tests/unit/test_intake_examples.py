"""The example dealer generator: the committed file is its output, as messy as the real one."""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from api.intake import mark_in_batch_duplicates, parse_leads

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def generator() -> Iterator[ModuleType]:
    """examples/generate_dealers.py, loaded as the script it is (examples is no package)."""
    name = "examples_generate_dealers"
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / "generate_dealers.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


def test_committed_dealers_csv_is_exactly_what_the_generator_writes(
    generator: ModuleType, tmp_path: Path
) -> None:
    out = tmp_path / "dealers.csv"

    generator.main(["--out", str(out)])

    assert out.read_bytes() == (EXAMPLES / "dealers.csv").read_bytes()


def test_rows_option_writes_that_many_rows_of_69_columns(
    generator: ModuleType, tmp_path: Path
) -> None:
    out = tmp_path / "big.csv"

    generator.main(["--rows", "1000", "--out", str(out)])

    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 1001
    assert {len(row) for row in rows} == {69}


def test_generated_file_is_as_messy_as_the_real_export(
    generator: ModuleType, tmp_path: Path
) -> None:
    out = tmp_path / "big.csv"
    generator.main(["--rows", "1000", "--out", str(out)])
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    def share(column: str) -> float:
        return sum(1 for row in rows if row[column]) / len(rows)

    assert share("email") < 0.05
    assert 0.18 < 1 - share("website") < 0.32
    assert any(row["has_generator"] == "" for row in rows)
    assert any("," in row["name"] for row in rows)
    assert any("\n" in row["street"] for row in rows)
    phone_shapes = {row["phone"][:1] for row in rows if row["phone"]}
    assert {"(", "+"} <= phone_shapes

    result = parse_leads(out.read_bytes())
    assert 10 <= len(result.rejections) <= 40
    assert mark_in_batch_duplicates(result.leads) >= 30
