"""The claims check: claims.yml validation, each verdict on the shipped data, verdicts that follow the data.

Fixtures under tests/fixtures/claims_synthetic_* are synthetic numbers, made up to move verdicts; they are
not data about Kazakhstan or Italy.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import papermill
import pytest
from conftest import FIXTURES, ROOT, SHARED, glued, needs_shared, page_text, run_notebook

from tradebook.analysis import claim_checks, claim_spec, claims
from tradebook.analysis.claims import (
    CONSISTENT,
    CONTRADICTED,
    NOT_CHECKABLE,
    NOT_COMPARABLE,
    PARTLY,
    STATUSES,
    SUPPORTED,
)
from tradebook.book import claims_view, toc
from tradebook.book.staging import validate_inputs
from tradebook.data import currency, sources
from tradebook.data.contract import DATASETS
from tradebook.data.errors import InputError
from tradebook.data.folder import DataFolder
from tradebook.data.validate import check as check_csv

DATA = ROOT / "data"
LOW_2024 = FIXTURES / "claims_synthetic_low_2024"
FDI = FIXTURES / "claims_synthetic_fdi"
PRODUCTS = FIXTURES / "claims_synthetic_products"

# Verdicts on the data shipped in data/.
SHIPPED = {
    "trade_growth_2024": SUPPORTED,  # +24.1% against "25%" ±2.5 points
    "turnover_2024": SUPPORTED,  # US$ 19.94 billion against "nearly US$20 billion"
    "exports_2024": SUPPORTED,  # US$ 18.66 billion against "more than US$18 billion"
    "partner_rank": SUPPORTED,  # 3rd of 195 after China and Russia in 2024 (BNS final, every partner); 3rd in 2025
    "turnover_2023": CONTRADICTED,  # US$ 16.08 billion, 20% below "around US$20 billion"
    "fdi_top_five": NOT_COMPARABLE,  # a gross ranking; the data: net FDI by immediate investor (Italy 26th, 2021)
    "fdi_two_decades": NOT_COMPARABLE,  # gross inflows since 2005; the data: net inflows 2005–2021, below zero
    "agreements_2009": NOT_CHECKABLE,
    "italian_companies": CONSISTENT,  # 4 statements of 2022–2025 counting companies operating: 250 or about
    "kz_exports_products": PARTLY,  # crude oil a main export; metals only as base metals together
    "kz_exports_wheat": CONTRADICTED,  # 0.3% of Kazakhstan's exports to Italy in 2024 (FAOSTAT over BNS)
    "it_exports_products": PARTLY,  # industrial equipment main on the listed (partial) goods; no pharmaceuticals
}

SYNTHETIC = sources.Source(
    id="synthetic-test",
    title="Synthetic test numbers",
    citation="synthetic test data",
    publisher="made up in tests/fixtures/claims_synthetic_*",
    origin="tests/fixtures",
    licence="not data",
    units="US dollars and euro",
    caveats=["Made-up numbers that move the verdicts; not data about any country."],
)


@pytest.fixture(scope="module")
def shipped() -> dict[str, claims.Verdict]:
    return claim_checks.evaluate_all(claim_spec.load(DataFolder(DATA)), claims.ClaimData(DataFolder(DATA)))


def data_with(folder: Path, *fixtures: Path) -> Path:
    """A copy of the shipped data folder with fixture files replacing datasets, and the synthetic source
    the fixtures cite added to sources.yml."""
    shutil.copytree(DATA, folder)
    (folder / sources.FILENAME).write_text(
        sources.text([*DataFolder(folder).sources().values(), SYNTHETIC]), encoding="utf-8"
    )
    for fixture in fixtures:
        shutil.copyfile(fixture, folder / fixture.name)
    return folder


def comparable_fdi_claims(folder: Path) -> None:
    """claims.yml with the FDI claims read as net figures, so that the data's comparison decides them."""
    text = (folder / "claims.yml").read_text(encoding="utf-8")
    assert text.count("      flows: gross\n") == 2
    (folder / "claims.yml").write_text(text.replace("      flows: gross\n", ""), encoding="utf-8")


def verdicts_of(folder: Path, end_year: int | None = None) -> dict[str, claims.Verdict]:
    data = DataFolder(folder)
    return claim_checks.evaluate_all(claim_spec.load(data), claims.ClaimData(data, end_year))


# --- the shipped data ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cid", sorted(SHIPPED))
def test_verdict_on_shipped_data(shipped, cid):
    assert shipped[cid].status == SHIPPED[cid], shipped[cid]


def test_every_claim_has_an_expected_verdict(shipped):
    assert set(shipped) == set(SHIPPED)


def test_trade_verdicts_say_why_and_what_the_data_cannot_answer(shipped):
    rank = shipped["partner_rank"]
    assert "in 2024, a year with every partner in the data (final edition" in rank.why
    assert "China and Russia" in rank.says and "3rd of 197 in 2025" in rank.says
    trade = DataFolder(DATA).load("trade")
    for year in (2024, 2025):  # Italy's rank and share among all partners, as the page shows them
        kaz = trade[(trade.reporter == "KAZ") & (trade.year == year)]
        turnover = kaz.groupby("partner")["value"].sum()
        world = turnover.pop("WLD")
        italy = rank.evidence.loc[(year, 3)]
        assert italy["Partner"] == "Italy" and sorted(turnover, reverse=True)[2] == turnover["ITA"]
        assert italy["Share"] == pytest.approx(turnover["ITA"] / world)
        assert italy["Coverage"] == f"all {len(turnover)} partners"
    assert "±US$ 2 billion" in shipped["turnover_2024"].why
    assert "below" in shipped["turnover_2023"].why
    assert claim_checks.years_within(shipped["turnover_2023"].claim, claims.ClaimData(DataFolder(DATA))) == [2024]


def test_gross_fdi_claims_are_not_comparable_and_say_what_a_check_would_need(shipped):
    rank = shipped["fdi_top_five"]
    assert rank.scope == "the claim counts gross inflows; the data hold net FDI by immediate investor"
    assert "a check would need the gross inflows of every investor country" in rank.why
    assert "puts Italy 26th of 75 investor countries by stock in 2021" in rank.why  # the net figures, as context
    assert rank.says.startswith("26th of 75 investor countries by FDI stock in 2021")
    assert "the top five: Netherlands, United States, France, Japan and China" in rank.says
    total = shipped["fdi_two_decades"]
    assert total.scope.startswith("the claim counts gross inflows") and "2022–2024 not in the data" in total.scope
    assert "a check would need Italy's gross inflows in each year of 2005–2024" in total.why
    assert total.says.startswith("US$ -0.84 billion over 2005–2021")
    fdi = pd.read_csv(DATA / "fdi.csv")
    inflows = fdi[(fdi.investor == "ITA") & (fdi.measure == "inflow") & fdi.year.between(2005, 2024)]
    rates = [currency.annual_rate(y, c, "USD") for y, c in zip(inflows.year, inflows.currency, strict=True)]
    usd = (inflows.value * rates).sum()
    assert total.evidence["Cumulative, US$ bn"].iloc[-1] == pytest.approx(usd / 1e9)


def test_net_fdi_claims_are_judged_on_the_data(tmp_path):
    folder = data_with(tmp_path / "data")
    comparable_fdi_claims(folder)
    verdicts = verdicts_of(folder)
    rank, total = verdicts["fdi_top_five"], verdicts["fdi_two_decades"]
    assert (rank.status, total.status) == (CONTRADICTED, CONTRADICTED)
    assert rank.scope == "net FDI by immediate investor, as of 2021" and "of the 5th, China" in rank.why
    assert "short of US$ 7.6 billion" in total.why  # even the best year on record, every missing year


def test_companies_claim_against_statements_counting_the_same_thing(shipped):
    v = shipped["italian_companies"]
    published = pd.read_csv(DATA / "published_figures.csv", keep_default_na=False)
    same = published[(published.measure == "companies operating") & published.published.str[:4].between("2022", "2025")]
    assert len(same) == 4 and pd.to_numeric(same["value"]).between(225, 275).all()  # "more than 250" among them
    assert v.says.startswith("4 statements published in 2022–2025 count companies from Italy operating in Kazakhstan")
    assert "278 legal entities with capital from Italy registered in Kazakhstan (not necessarily active)" in v.says
    assert "from 4 different speakers" in v.why
    compared = v.evidence["Compared"]
    assert (compared == "yes").sum() == 4 and "no: another measure" in set(compared)
    assert v.evidence.loc["2024-10", "Count"] == "278"


def test_companies_verdict_follows_the_statements(tmp_path):
    folder = data_with(tmp_path / "data")
    published = pd.read_csv(folder / "published_figures.csv", dtype=str, keep_default_na=False)
    operating = published["measure"] == "companies operating"
    published.loc[operating & (published["published"] == "2025-09-29"), "value"] = "400.0"
    published.to_csv(folder / "published_figures.csv", index=False, lineterminator="\n")
    v = verdicts_of(folder)["italian_companies"]
    assert v.status == NOT_CHECKABLE and "disagree: about 400 does not fit" in v.why
    published = published[~operating | published["published"].str.startswith("2022-08-2")]
    operating = published["measure"] == "companies operating"
    published = published[~(operating & (published["attributed_to"] != "KZ MFA press service"))]
    published.to_csv(folder / "published_figures.csv", index=False, lineterminator="\n")
    v = verdicts_of(folder)["italian_companies"]
    assert v.status == NOT_CHECKABLE and "one speaker's statements alone" in v.why


def test_wheat_share_year_by_year(shipped):
    v = shipped["kz_exports_wheat"]
    products, trade = pd.read_csv(DATA / "trade_products.csv", dtype={"product": str}), pd.read_csv(DATA / "trade.csv")
    wheat = products[(products["product"] == "1001") & (products.reporter == "KAZ")].set_index("year")
    exports = trade[(trade.reporter == "KAZ") & (trade.partner == "ITA") & (trade.flow == "export")].set_index("year")
    share = wheat["value"] / exports["value"].reindex(wheat.index)
    assert list(v.evidence.index) == list(wheat.index)
    assert v.evidence["Share"].to_numpy() == pytest.approx(share.to_numpy())
    assert v.evidence["US$ per tonne"].to_numpy() == pytest.approx((wheat["value"] / wheat["quantity"]).to_numpy())
    assert share.loc[2024] < 0.01 and f"{share.loc[2024]:.1%} of Kazakhstan's exports to Italy in 2024" in v.says
    above = [int(y) for y in share.index if share[y] >= 0.01]
    assert above == [2023] and "of 2018–2024 it reached it in 2023" in v.why


def test_product_verdicts_on_shipped_data(shipped):
    found = shipped["kz_exports_products"].evidence
    assert found.loc["crude oil", "Found"] == "main"
    assert found.loc["crude oil", "Basis"] == "Italy's imports from Kazakhstan"
    for metal in ("ferroalloys", "copper", "aluminium", "zinc", "lead"):  # HS Section XV in BACI
        assert (found.loc[metal, "Found"], found.loc[metal, "Codes in the data"]) == (
            "only within a group",
            "SXV",
        )
    assert "wheat and meslin" not in found.index  # a claim of its own
    assert found.loc["fuel oil", "Found"] == "only within a group"  # HS 27 of Italy's own imports (Comext)
    for absent in ("scrap of precious metals", "cranes"):
        assert found.loc[absent, "Found"] == "not in the data"
    assert shipped["kz_exports_products"].scope == "1 of 9 products confirmed"
    it = shipped["it_exports_products"]
    assert it.scope == "1 of 3 products confirmed" and "not in the data: pharmaceuticals" in it.says


def test_baci_shares_are_only_of_baci_totals():
    data = claims.ClaimData(DataFolder(DATA))
    shares = claim_checks.product_shares(data.get("trade_products"), data.get("trade"), "KAZ", "ITA", "export")
    crude = shares[shares["product"] == "270900"].set_index("year")
    assert crude.loc[2019, "total_source"] == "cepii-gravity-baci"
    assert crude.loc[2019, "share"] == pytest.approx(8197470000 / 8541475000, rel=1e-3)
    assert pd.isna(crude.loc[2021, "share"])  # no BACI total for the pair in 2021; never Kazakhstan's own
    registered = claim_checks.product_shares(data.get("trade_products"), data.get("trade"), "ITA", "KAZ", "import")
    registered = registered.set_index(["year", "product"])
    assert registered.loc[(2019, "2709"), "total_source"] == "cepii-gravity"
    assert registered.loc[(2020, "2709"), "total_source"] == "eurostat-comext-italy-kz-total-hs27"  # Italy's own


def test_claims_cover_the_article():
    ids = {c.id for c in claim_spec.load(DataFolder(DATA))}
    assert ids >= set(SHIPPED)
    for claim in claim_spec.load(DataFolder(DATA)):
        assert claim.article.url.startswith("https://timesca.com/")
        assert claim.quote and claim.label


@needs_shared
def test_every_quote_is_in_the_article():
    text = (SHARED.parent / "reference" / "article-kazakhstan-italy-2025.txt").read_text(encoding="utf-8")
    plain = " ".join(text.replace("’", "'").split())
    for claim in claim_spec.load(DataFolder(DATA)):
        assert claim.quote.replace("’", "'") in plain, claim.id


# --- verdicts follow the data -------------------------------------------------------------------------


def test_fixtures_follow_the_contract(tmp_path):
    folder = data_with(tmp_path / "data", LOW_2024 / "trade.csv", FDI / "fdi.csv", PRODUCTS / "trade_products.csv")
    assert validate_inputs(folder) == []
    for fixture in (LOW_2024 / "trade.csv", FDI / "fdi.csv", PRODUCTS / "trade_products.csv"):
        assert check_csv(fixture, DATASETS[fixture.stem])[1] == []


def test_far_lower_2024_turnover_contradicts_nearly_20_billion(tmp_path):
    folder = data_with(tmp_path / "data", LOW_2024 / "trade.csv")
    verdicts = verdicts_of(folder)
    assert verdicts["turnover_2024"].status == CONTRADICTED
    assert "US$ 9.00 billion" in verdicts["turnover_2024"].says
    assert verdicts["trade_growth_2024"].status == CONTRADICTED
    assert verdicts["exports_2024"].status == CONTRADICTED
    # No year with every partner: the ranking cannot be checked, and says so instead of failing.
    assert verdicts["partner_rank"].status == NOT_CHECKABLE
    assert claim_checks.years_within(verdicts["turnover_2023"].claim, claims.ClaimData(DataFolder(folder))) == []


def test_end_year_before_the_claim_makes_it_not_checkable():
    verdicts = verdicts_of(DATA, end_year=2023)
    assert verdicts["turnover_2024"].status == NOT_CHECKABLE
    assert "2024" in verdicts["turnover_2024"].says
    assert verdicts["turnover_2023"].status == CONTRADICTED
    # A claim about the present falls back on the latest year, and the verdict names it.
    assert verdicts["partner_rank"].status == PARTLY


def test_fdi_checks_on_synthetic_data(tmp_path):
    folder = data_with(tmp_path / "data", FDI / "fdi.csv")
    assert {v.status for k, v in verdicts_of(folder).items() if k.startswith("fdi_")} == {NOT_COMPARABLE}
    comparable_fdi_claims(folder)
    verdicts = verdicts_of(folder)
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


def test_fdi_verdicts_follow_the_data(tmp_path):
    folder = data_with(tmp_path / "data", FDI / "fdi.csv")
    comparable_fdi_claims(folder)
    fdi = pd.read_csv(folder / "fdi.csv")
    big = (fdi["investor"] == "ITA") & (fdi["year"] == 2021) & (fdi["measure"] == "stock")
    fdi.loc[big, "value"] = 50e9  # second largest investor
    inflow = (fdi["investor"] == "ITA") & (fdi["measure"] == "inflow")
    fdi.loc[inflow, "value"] = 400e6
    fdi.to_csv(folder / "fdi.csv", index=False)
    verdicts = verdicts_of(folder)
    assert verdicts["fdi_top_five"].status == PARTLY  # 2nd in 2021; the claim is about 2024
    # The missing years 2022–2024 could now close the gap: the data cannot decide.
    assert verdicts["fdi_two_decades"].status == NOT_CHECKABLE
    # Every year of 2005–2024 in the data, in euro worth US$ 7.6 billion in all at each year's ECB rate.
    years = pd.DataFrame(
        {
            "year": range(2005, 2025),
            "host": "KAZ",
            "investor": "ITA",
            "measure": "inflow",
            "value": [7.6e9 / 20 / currency.annual_rate(y, "EUR", "USD") for y in range(2005, 2025)],
            "currency": "EUR",
            "source": "synthetic-test",
        }
    )
    fdi = pd.concat([fdi[~inflow], years]).sort_values(["year", "host", "investor", "measure"])
    fdi.to_csv(folder / "fdi.csv", index=False)
    total = verdicts_of(folder)["fdi_two_decades"]
    assert total.status == SUPPORTED
    assert total.says.startswith("US$ 7.60 billion over 2005–2024")


def test_product_lists_on_synthetic_data(tmp_path):
    folder = data_with(tmp_path / "data", PRODUCTS / "trade_products.csv")
    verdicts = verdicts_of(folder)
    kz = verdicts["kz_exports_products"]
    assert kz.status == PARTLY
    found = kz.evidence["Found"]
    assert found["crude oil"] == "main"  # HS 270900 is all of heading 2709
    assert kz.evidence.loc["crude oil", "Codes in the data"] == "270900"
    assert kz.evidence.loc["crude oil", "Share"] == pytest.approx(0.9 / 8)  # of the same source's TOTAL
    assert found["ferroalloys"] == "minor"
    assert found["copper"] == "only within a group"  # SXV: HS section XV, base metals
    assert found["cranes"] == "not in the data"
    it = verdicts["it_exports_products"]
    assert it.status == PARTLY
    assert it.evidence["Found"]["pumps"] == "main"  # a share of Italy's exports to Kazakhstan, both in euro
    assert it.evidence.loc["pumps", "Share"] == pytest.approx(50e6 / 497203200, rel=1e-3)
    assert it.evidence["Found"]["industrial equipment"] == "main"  # pumps are a part of HS 84
    assert it.evidence["Found"]["pharmaceuticals"] == "not in the data"


def test_product_verdict_turns_when_the_main_product_shrinks(tmp_path):
    folder = data_with(tmp_path / "data", PRODUCTS / "trade_products.csv")
    rows = pd.read_csv(folder / "trade_products.csv", dtype=str, keep_default_na=False)
    rows.loc[rows["product"] == "270900", "value"] = "1000000.0"  # 0.01% of the TOTAL
    rows.to_csv(folder / "trade_products.csv", index=False, lineterminator="\n")
    kz = verdicts_of(folder)["kz_exports_products"]
    assert kz.evidence["Found"]["crude oil"] == "minor"
    assert kz.status == CONTRADICTED


def test_missing_datasets_are_not_checkable_with_the_reason(tmp_path):
    folder = data_with(tmp_path / "data")
    for name in ("fdi.csv", "trade_products.csv"):
        (folder / name).unlink()
    verdicts = verdicts_of(folder)
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
    problems = validate_inputs(folder)
    assert len(problems) == 1, problems
    text = str(problems[0])
    assert re.search(rf"claims\.yml:{line}: column '{field}': ", text), text
    assert message in text
    with pytest.raises(InputError):
        claim_spec.load(DataFolder(folder))


def test_cli_reports_a_broken_claims_file_in_one_line(tmp_path, cli):
    folder = data_with(tmp_path / "data")
    (folder / "claims.yml").write_text("articles: {}\nclaims: [\n", encoding="utf-8")
    proc = cli("validate", "--data-dir", str(folder), cwd=ROOT)
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert first.endswith("claims.yml:3: invalid YAML: expected the node content, but found '<stream end>'")
    proc = cli("build", "--data-dir", str(folder), cwd=ROOT)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "claims.yml:3: invalid YAML" in proc.stderr and "Traceback" not in proc.stderr


def test_a_data_folder_without_claims_is_valid(tmp_path):
    folder = data_with(tmp_path / "data")
    (folder / "claims.yml").unlink()
    assert validate_inputs(folder) == []
    assert claim_spec.load(DataFolder(folder)) == []


@needs_shared
def test_make_data_keeps_the_hand_curated_claims(tmp_path):
    from tradebook.data.importers import build_data

    folder = data_with(tmp_path / "data")
    before = (folder / "claims.yml").read_bytes()
    build_data(SHARED, folder, log=lambda _: None)
    assert (folder / "claims.yml").read_bytes() == before


# --- the summary and the chapter ----------------------------------------------------------------------


def test_summary_links_only_to_chapters_in_the_book(shipped):
    table = claims_view.summary_markdown(shipped, {"trade_growth"}, {"turnover_2024"})
    assert "[](trade_growth.ipynb)" in table
    assert "investment_history.ipynb" not in table and "export_composition.ipynb" not in table
    assert "[Trade reached nearly US\\$20 billion in 2024](#claim-turnover-2024)" in table
    assert "(#claim-turnover-2023)" not in table  # no section of its own: no link
    rows = [row for row in table.strip().splitlines() if row.startswith("|")]
    assert len(rows) == 2 + len(shipped)
    assert all(row.count(" | ") == 3 for row in rows[2:])  # no stray pipes from the data
    assert all(re.search(r"\| \[[a-z ]+\]\{\.tb-verdict \.tb-v-[a-z]+\}", row) for row in rows[2:])  # word + badge


def test_book_chapters_come_from_the_toc():
    chapters = toc.chapters(ROOT)
    assert {"trade_growth", "claims_check"} <= chapters


def test_chapter_for_another_partner_says_the_claims_do_not_apply(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as err:
        run_notebook("claims_check", tmp_path, partner="CHN")
    assert err.value.ename == "NoData"
    assert "do not apply" in err.value.evalue and "Italy" in err.value.evalue


@pytest.fixture(scope="module")
def executed(built_book) -> dict[str, object]:
    """The values the claims chapter glued in the built default edition (one papermill run, the build's)."""
    (path,) = built_book.glob("_build/.cache/*/claims_check/executed.ipynb")
    return glued(path)


def test_chapter_glues_the_computed_verdicts(executed, shipped):
    for cid, status in SHIPPED.items():
        assert executed[f"{cid}_verdict"] == shipped[cid].verdict, cid
        assert executed[f"{cid}_verdict"].startswith(status), cid
    assert executed["n_claims"] == len(SHIPPED)
    for status in STATUSES:
        assert executed[f"n_{claims.STATUS_NAMES[status]}"] == sum(s == status for s in SHIPPED.values())
    assert executed["turnover_2023_near"] == "2024"


def test_built_book_shows_the_summary_table(built_book, shipped):
    page = built_book / "_build" / "html" / "notebooks" / "claims_check.html"
    html = page.read_text(encoding="utf-8")
    text = page_text(page)
    assert "Claim What the data say Verdict Evidence" in text
    summary = text[text.index("Claim What the data say Verdict Evidence") :]
    assert "Trade reached nearly US$20 billion in 2024 US$ 19.94 billion in 2024" in summary
    assert "contradicted" in summary and "not checkable with this data" in summary
    assert shipped["kz_exports_products"].verdict in summary
    assert 'href="trade_growth.html"' in html
    assert 'href="#claim-turnover-2024"' in html
    assert 'href="investment_history.html"' in html and 'href="export_composition.html"' in html


def test_intro_counts_the_verdicts(built_book, shipped):
    intro = page_text(built_book / "_build/html/notebooks/intro.html").replace("’", "'")  # smart quotes
    n = {status: sum(s == status for s in SHIPPED.values()) for status in STATUSES}
    assert (
        f"Of the article's {len(SHIPPED)} claims, {n[SUPPORTED]} are supported by the data, "
        f"{n[PARTLY]} partly supported, {n[CONTRADICTED]} contradicted, {n[NOT_COMPARABLE]} not comparable "
        f"(the data measure something else), {n[CONSISTENT]} consistent with other official statements, and "
        f"{n[NOT_CHECKABLE]} cannot be checked with the data in this book."
    ) in intro
    html = (built_book / "_build/html/notebooks/intro.html").read_text(encoding="utf-8")
    for chapter in ("export_composition", "mirror_statistics", "claims_check"):
        assert f'href="{chapter}.html"' in html


def test_tolerance_shares_are_the_distinct_shares_of_the_about_figures():
    every = claim_spec.load(DataFolder(DATA))
    about = [c for c in every if c.comparison == "approximately"]
    assert about and claims.tolerance_shares(every) == sorted({round(c.tolerance / c.value, 3) for c in about})
    assert claims.tolerance_shares([c for c in every if c.comparison != "approximately"]) == []
