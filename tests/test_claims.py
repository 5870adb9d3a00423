"""The claims check: claims.yml validation, each verdict on the shipped data, verdicts that follow the data.

Fixtures under tests/fixtures/claims_synthetic_* are synthetic numbers, made up to move verdicts; they are
not data about Kazakhstan or Italy.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import papermill
import pytest
from conftest import FIXTURES, ROOT, SHARED, needs_shared, page_text, run_notebook, tradebook

from tradebook import claims, currency
from tradebook.claims import CONTRADICTED, NOT_CHECKABLE, PARTLY, SUPPORTED
from tradebook.contract import DATASETS, TRADE_COLUMNS, Dataset
from tradebook.errors import InputError
from tradebook.validate import validate_all

DATA = ROOT / "data"
LOW_2024 = FIXTURES / "claims_synthetic_low_2024"
FDI = FIXTURES / "claims_synthetic_fdi"
PRODUCTS = FIXTURES / "claims_synthetic_products"

# Verdicts on the data shipped in data/. The FDI and product claims need data/fdi.csv and
# data/trade_products.csv; without them the honest verdict is "not checkable".
HAS_FDI = (DATA / "fdi.csv").is_file() and "fdi" in DATASETS
HAS_PRODUCTS = (DATA / "trade_products.csv").is_file() and "trade_products" in DATASETS
SHIPPED = {
    "trade_growth_2024": SUPPORTED,
    "turnover_2024": SUPPORTED,
    "exports_2024": SUPPORTED,
    "partner_rank": PARTLY,
    "turnover_2023": CONTRADICTED,
    "fdi_top_five": CONTRADICTED if HAS_FDI else NOT_CHECKABLE,
    "fdi_two_decades": CONTRADICTED if HAS_FDI else NOT_CHECKABLE,
    "agreements_2009": NOT_CHECKABLE,
    "italian_companies": NOT_CHECKABLE,
    "kz_exports_products": PARTLY if HAS_PRODUCTS else NOT_CHECKABLE,
    "it_exports_products": NOT_CHECKABLE,
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, claims.Verdict]:
    return claims.evaluate_all(claims.load(DATA), claims.Data(DATA))


@pytest.fixture
def contracts(monkeypatch):
    """Minimal contracts for fdi.csv and trade_products.csv while the branches adding them are unmerged."""
    if "fdi" not in DATASETS:
        columns = ("year", "host", "investor", "measure", "value", "currency", "source")
        monkeypatch.setitem(
            DATASETS,
            "fdi",
            Dataset("fdi", "fdi.csv", columns, columns[:4], pa.DataFrameSchema({}), ("year",), ("value",)),
        )
    if "trade_products" not in DATASETS:
        columns = (*TRADE_COLUMNS, "product")
        key = ("year", "reporter", "partner", "flow", "product")
        monkeypatch.setitem(
            DATASETS,
            "trade_products",
            Dataset(
                "trade_products",
                "trade_products.csv",
                columns,
                key,
                pa.DataFrameSchema({}),
                ("year",),
                ("value",),
            ),
        )


def data_with(folder: Path, *fixtures: Path) -> Path:
    """A data folder: the shipped claims.yml, sources.yml and trade.csv, with fixture files replacing or
    adding datasets (written in the contract's column order)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("claims.yml", "sources.yml", "trade.csv"):
        shutil.copyfile(DATA / name, folder / name)
    for fixture in fixtures:
        dataset = DATASETS[fixture.stem]
        frame = pd.read_csv(fixture, dtype=str, keep_default_na=False)
        columns = [c for c in (*dataset.columns, *dataset.optional) if c in frame]
        frame[columns].to_csv(folder / dataset.filename, index=False, lineterminator="\n")
    return folder


# --- the shipped data ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cid", sorted(SHIPPED))
def test_verdict_on_shipped_data(shipped, cid):
    assert shipped[cid].status == SHIPPED[cid], shipped[cid]


def test_every_claim_has_an_expected_verdict(shipped):
    assert set(shipped) == set(SHIPPED)


def test_verdicts_say_why_and_what_the_data_cannot_answer(shipped):
    assert "2023" in shipped["partner_rank"].scope  # the full ranking ends there
    assert "China and Russia" in shipped["partner_rank"].says
    assert "±US$ 2 billion" in shipped["turnover_2024"].why
    assert "below" in shipped["turnover_2023"].why
    if not HAS_FDI:
        assert "fdi.csv" in shipped["fdi_top_five"].says


def test_claims_cover_the_article():
    ids = {c.id for c in claims.load(DATA)}
    assert ids >= set(SHIPPED)
    for claim in claims.load(DATA):
        assert claim.article.url.startswith("https://timesca.com/")
        assert claim.quote and claim.label


@needs_shared
def test_every_quote_is_in_the_article():
    text = (SHARED.parent / "reference" / "article-kazakhstan-italy-2025.txt").read_text(encoding="utf-8")
    plain = " ".join(text.replace("’", "'").split())
    for claim in claims.load(DATA):
        assert claim.quote.replace("’", "'") in plain, claim.id


# --- verdicts follow the data -------------------------------------------------------------------------


def test_far_lower_2024_turnover_contradicts_nearly_20_billion(tmp_path):
    folder = data_with(tmp_path / "data")
    shutil.copyfile(LOW_2024 / "trade.csv", folder / "trade.csv")
    verdicts = claims.evaluate_all(claims.load(folder), claims.Data(folder))
    assert verdicts["turnover_2024"].status == CONTRADICTED
    assert "US$ 9.00 billion" in verdicts["turnover_2024"].says
    assert verdicts["trade_growth_2024"].status == CONTRADICTED
    assert verdicts["exports_2024"].status == CONTRADICTED
    # No year with every partner: the ranking cannot be checked, and says so instead of failing.
    assert verdicts["partner_rank"].status == NOT_CHECKABLE


def test_end_year_before_the_claim_makes_it_not_checkable():
    verdicts = claims.evaluate_all(claims.load(DATA), claims.Data(DATA, end_year=2023))
    assert verdicts["turnover_2024"].status == NOT_CHECKABLE
    assert "2024" in verdicts["turnover_2024"].says
    assert verdicts["turnover_2023"].status == CONTRADICTED
    # A claim about the present falls back on the latest year, and the verdict names it.
    assert verdicts["partner_rank"].status == PARTLY


def test_fdi_checks_on_synthetic_data(tmp_path, contracts):
    folder = data_with(tmp_path / "data", FDI / "fdi.csv")
    verdicts = claims.evaluate_all(claims.load(folder), claims.Data(folder))
    rank = verdicts["fdi_top_five"]
    assert rank.status == CONTRADICTED
    assert rank.says.startswith("8th of 8 investor countries by FDI stock in 2021")
    assert "net FDI" in rank.scope and "2021" in rank.scope
    total = verdicts["fdi_two_decades"]
    assert total.status == CONTRADICTED  # 2005–2021 far short, even with the best year repeated to 2024
    assert "2022–2024 not in the data" in total.scope
    assert total.evidence["Cumulative, US$ bn"].iloc[-1] == pytest.approx(
        sum(0.1 * currency.annual_rate(y, "EUR", "USD") for y in range(2005, 2022))
    )


def test_fdi_verdicts_follow_the_data(tmp_path, contracts):
    folder = data_with(tmp_path / "data", FDI / "fdi.csv")
    fdi = pd.read_csv(folder / "fdi.csv")
    big = (fdi["investor"] == "ITA") & (fdi["year"] == 2021) & (fdi["measure"] == "stock")
    fdi.loc[big, "value"] = 50e9  # second largest investor
    inflow = (fdi["investor"] == "ITA") & (fdi["measure"] == "inflow")
    fdi.loc[inflow, "value"] = 400e6
    fdi.to_csv(folder / "fdi.csv", index=False)
    verdicts = claims.evaluate_all(claims.load(folder), claims.Data(folder))
    assert verdicts["fdi_top_five"].status == PARTLY  # 2nd in 2021; the claim is about 2024
    # The missing years 2022–2024 could now close the gap: the data cannot decide.
    assert verdicts["fdi_two_decades"].status == NOT_CHECKABLE
    years = pd.DataFrame(
        {
            "year": range(2005, 2025),
            "host": "KAZ",
            "investor": "ITA",
            "measure": "inflow",
            "value": 7.6e9 / 20,
            "currency": "USD",
            "source": "synthetic-test",
        }
    )
    fdi = pd.concat([fdi[~inflow], years]).sort_values(["year", "host", "investor", "measure"])
    fdi.to_csv(folder / "fdi.csv", index=False)
    verdicts = claims.evaluate_all(claims.load(folder), claims.Data(folder))
    assert verdicts["fdi_two_decades"].status == SUPPORTED


def test_product_lists_on_synthetic_data(tmp_path, contracts):
    folder = data_with(tmp_path / "data", PRODUCTS / "trade_products.csv")
    verdicts = claims.evaluate_all(claims.load(folder), claims.Data(folder))
    kz = verdicts["kz_exports_products"]
    assert kz.status == PARTLY
    found = kz.evidence["Found"]
    assert found["crude oil"] == "main"
    assert found["ferroalloys"] == "minor"
    assert found["copper"] == "only within a group"  # HS section XV: base metals
    assert found["cranes"] == "not in the data"
    it = verdicts["it_exports_products"]
    assert it.evidence["Found"]["pumps"] in ("main", "minor")  # a share of Italy's (EUR) exports
    assert it.evidence["Found"]["industrial equipment"] in ("main", "in part in the data")


def test_missing_datasets_are_not_checkable_with_the_reason(tmp_path):
    folder = data_with(tmp_path / "data")
    verdicts = claims.evaluate_all(claims.load(folder), claims.Data(folder))
    for cid, name in (("fdi_top_five", "fdi.csv"), ("kz_exports_products", "trade_products.csv")):
        assert verdicts[cid].status == NOT_CHECKABLE
        assert f"data/{name} is not in this book's data" == verdicts[cid].says


# --- claims.yml validation ----------------------------------------------------------------------------

BROKEN = [
    ("comparison: more_than", "comparison: bigger", "comparison", "expected one of approximately"),
    ("metric: turnover_growth", "metric: growth", "metric", "expected one of the metrics"),
    (
        '    article: timesca-2025-05\n    quote: "trade between',
        '    article: nyt\n    quote: "trade between',
        "article",
        "unknown article 'nyt'",
    ),
    ("reporter: KAZ", "reporter: Kazakhstan", "reporter", "ISO 3166 alpha-3"),
    ('{name: cranes, hs: ["8426"]}', '{name: cranes, hs: ["8499"]}', "items", "'8499' is not one"),
    ("  - id: exports_2024", "  - id: turnover_2024", "id", "duplicate claim id 'turnover_2024'"),
    ("      period: 2023", "      period: [2023, 2020]", "period", "a year from"),
]


@pytest.mark.parametrize(("old", "new", "field", "message"), BROKEN)
def test_malformed_claim_is_one_clear_error(tmp_path, old, new, field, message):
    folder = data_with(tmp_path / "data")
    text = (folder / "claims.yml").read_text(encoding="utf-8")
    assert old in text
    broken = text.replace(old, new, 1)
    (folder / "claims.yml").write_text(broken, encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1 + new[: max(new.find(field), 0)].count("\n")
    problems = validate_all(folder)
    assert len(problems) == 1, problems
    text = str(problems[0])
    assert re.search(rf"claims\.yml:{line}: column '{field}': ", text), text
    assert message in text
    with pytest.raises(InputError):
        claims.load(folder)


def test_cli_reports_a_broken_claims_file_in_one_line(tmp_path):
    folder = data_with(tmp_path / "data")
    (folder / "claims.yml").write_text("articles: {}\nclaims: [\n", encoding="utf-8")
    proc = tradebook("validate", "--data-dir", str(folder), cwd=ROOT)
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert first.endswith("claims.yml:3: invalid YAML: expected the node content, but found '<stream end>'")
    proc = tradebook("build", "--data-dir", str(folder), cwd=ROOT)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "claims.yml:3: invalid YAML" in proc.stderr and "Traceback" not in proc.stderr


def test_a_data_folder_without_claims_is_valid(tmp_path):
    folder = data_with(tmp_path / "data")
    (folder / "claims.yml").unlink()
    assert validate_all(folder) == []


@needs_shared
def test_make_data_keeps_the_hand_curated_claims(tmp_path):
    from tradebook.importers import build_data

    folder = data_with(tmp_path / "data")
    before = (folder / "claims.yml").read_bytes()
    build_data(SHARED, folder, log=lambda _: None)
    assert (folder / "claims.yml").read_bytes() == before


# --- the summary and the chapter ----------------------------------------------------------------------


def test_summary_links_only_to_chapters_in_the_book(shipped):
    table = claims.summary_markdown(shipped, {"trade_growth"}, {"turnover_2024"})
    assert "[](trade_growth.ipynb)" in table
    assert "investment_history.ipynb" not in table and "export_composition.ipynb" not in table
    assert "[Trade reached nearly US\\$20 billion in 2024](#claim-turnover-2024)" in table
    assert "(#claim-turnover-2023)" not in table  # no section of its own: no link
    rows = table.strip().splitlines()
    assert len(rows) == 2 + len(shipped)
    assert all(row.count(" | ") == 3 for row in rows[2:])  # no stray pipes from the data


def test_book_chapters_come_from_the_toc():
    chapters = claims.book_chapters(ROOT)
    assert {"trade_growth", "claims_check"} <= chapters


def test_ecb_annual_average():
    # The ECB's published annual average of the euro in US dollars for 2024 is 1.0824.
    assert currency.annual_rate(2024, "EUR", "USD") == pytest.approx(1.0824, abs=5e-5)
    assert currency.annual_rate(2024, "USD", "USD") == 1.0
    with pytest.raises(ValueError):
        currency.annual_rate(1990, "EUR", "USD")


def test_chapter_glues_the_computed_verdicts(tmp_path):
    values = run_notebook("claims_check", tmp_path)
    for cid, status in SHIPPED.items():
        assert values[f"{cid}_verdict"].startswith(status), cid
    assert values["n_claims"] == len(SHIPPED)
    assert values["n_supported"] == sum(s == SUPPORTED for s in SHIPPED.values())
    assert values["turnover_2023_near"] == "2024"


def test_chapter_follows_the_data(tmp_path):
    folder = data_with(tmp_path / "data")
    shutil.copyfile(LOW_2024 / "trade.csv", folder / "trade.csv")
    values = run_notebook("claims_check", tmp_path, data_dir=str(folder))
    assert values["turnover_2024_verdict"] == CONTRADICTED
    assert values["turnover_2023_near"] == "none"


def test_chapter_for_another_partner_says_the_claims_do_not_apply(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as err:
        run_notebook("claims_check", tmp_path, partner="CHN")
    assert err.value.ename == "NoData"
    assert "do not apply" in err.value.evalue and "Italy" in err.value.evalue


@pytest.mark.xdist_group("book")
def test_built_book_shows_the_summary_table(built_book):
    page = built_book / "_build" / "html" / "notebooks" / "claims_check.html"
    html = page.read_text(encoding="utf-8")
    text = page_text(page)
    assert "Claim What the data say Verdict Evidence" in text
    summary = text[text.index("Claim What the data say Verdict Evidence") :]
    assert "Trade reached nearly US$20 billion in 2024 US$ 19.94 billion in 2024" in summary
    assert "contradicted" in summary and "not checkable with this data" in summary
    assert 'href="trade_growth.html"' in html
    assert 'href="#claim-turnover-2024"' in html
    assert "investment_history.html" not in html or (built_book / "notebooks/investment_history.ipynb").exists()
