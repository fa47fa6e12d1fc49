"""Module 3 (AMHP practice) datasets: national detention figures, AMHP workforce, synthetic log.

Each dataset is loaded through ``helpers.load_dataset`` from the course catalogue
``data/datapackage.json`` (the only place these descriptions are kept), so the loader checks
each CSV against its resource: types, categories and keys.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from _catalogue import resource as _fragment
from _seeds import seeds_dir

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
M3_DATASETS = [
    "amhp_referrals_synthetic",
    "amhp_workforce",
    "mha_cto_rates_ethnicity",
    "mha_detention_rates_ethnicity",
    "mha_detentions_england",
]


# --------------------------------------------------------------------------- every M3 dataset


@pytest.mark.parametrize("name", M3_DATASETS)
def test_does_the_fragment_follow_the_dataset_conventions(name):
    resource = _fragment(name)
    for key in (
        "name",
        "path",
        "title",
        "description",
        "format",
        "mediatype",
        "encoding",
        "licenses",
        "sources",
        "caveats",
        "synthetic",
        "modules",
        "schema",
    ):
        assert key in resource, f"{name}: the fragment lacks '{key}'"
    assert resource["path"] == f"{name}.csv"
    assert resource["licenses"][0]["name"] == "CC-BY-4.0"
    assert "m3-amhp" in resource["modules"]
    assert resource["caveats"], f"{name}: a dataset needs at least one caveat"
    for field in resource["schema"]["fields"]:
        where = f"{name}.{field['name']}"
        assert field.get("title") and field.get("description"), f"{where} is undescribed"
        assert re.fullmatch(r"[a-z][a-z0-9_]*", field["name"]), f"{where} is not lower_snake_case"


@pytest.mark.parametrize("name", M3_DATASETS)
def test_does_each_dataset_load_with_its_schema(load, name):
    frame = load(name)
    assert len(frame) > 0
    assert list(frame.columns) == [f["name"] for f in _fragment(name)["schema"]["fields"]]


NATIONAL = [
    "amhp_workforce",
    "mha_cto_rates_ethnicity",
    "mha_detention_rates_ethnicity",
    "mha_detentions_england",
]


# copy or mirror sites: a figure read there is cited at the official address, with the copy
# named in the note ("copy seen at ...")
COPY_SITES = ("paperzz.com", "nhsd.io", "govmemo.com", "london-tv.co.uk", "mentalhealthwales.net")


@pytest.mark.parametrize(
    "name", ["mha_cto_rates_ethnicity", "mha_detention_rates_ethnicity", "mha_detentions_england"]
)
def test_do_rows_cite_the_official_address_and_name_any_copy(load, name):
    import pandas as pd

    frame = load(name)
    for _, row in frame.iterrows():
        url = str(row["source_url"])
        assert not any(site in url for site in COPY_SITES), f"{row['year']}: cite the original"
        note = "" if pd.isna(row["note"]) else str(row["note"])
        if any(site in note for site in COPY_SITES):
            assert "copy" in note, f"{row['year']}: say that the address in the note is a copy"
    sources = " ".join(str(s.get("path", "")) for s in _fragment(name)["sources"])
    assert not any(site in sources for site in COPY_SITES)


@pytest.mark.parametrize("name", NATIONAL)
def test_does_every_national_row_say_how_far_it_was_checked(load, name):
    frame = load(name)
    assert frame["status"].notna().all()
    assert set(frame["status"].astype(str)) <= {"V", "S", "U"}
    assert frame["source_publisher"].notna().all() and frame["source_title"].notna().all()


# --------------------------------------------------------------------------- detentions


def test_are_the_key_detention_counts_right(load):
    df = load("mha_detentions_england").set_index("year")
    assert df.loc["2015-16", "detentions"] == 63622
    assert df.loc["2014-15", "detentions"] == 58399
    assert df.loc["2005-06", "detentions"] == 43361
    assert df.loc["2022-23", "detentions"] == 51312
    assert df.loc["2022-23", "status"] == "V"
    assert df.loc["2023-24", "status"] == "S", "52,458 was seen only in Mind's summary"


def test_is_the_series_break_marked_at_2016_17_only(load):
    df = load("mha_detentions_england")
    breaks = df.loc[df["series_break_before"].astype(bool), "year"].astype(str).tolist()
    assert breaks == ["2016-17"]
    before = df[df["year"] < "2016-17"]
    after = df[df["year"] >= "2016-17"]
    assert set(before["series"].astype(str)) == {"KP90"}
    assert set(after["series"].astype(str)) == {"MHSDS"}
    assert after["incomplete_coverage"].all()


def test_is_the_unverified_2024_25_count_left_empty(load):
    import pandas as pd

    df = load("mha_detentions_england").set_index("year")
    assert df["detentions"].isna().sum() == 1
    assert df.loc["2024-25", "detentions"] is pd.NA
    assert df.loc["2024-25", "status"] == "U"


# --------------------------------------------------------------------------- rates by ethnicity


def test_are_the_2022_23_rates_and_ratio_the_official_ones(load):
    df = load("mha_detention_rates_ethnicity")
    year = df[df["year"] == "2022-23"].set_index("ethnic_group")
    black = year.loc["Black or Black British", "rate_per_100k"]
    white = year.loc["White", "rate_per_100k"]
    assert (black, white) == (228, 64)
    assert round(black / white, 1) == 3.6  # published as "3.5 times" from unrounded rates
    assert set(year["census_year"]) == {2021}


def test_does_the_denominator_change_in_2022_23(load):
    df = load("mha_detention_rates_ethnicity").dropna(subset=["census_year"])
    by_year = df.groupby("year", observed=True)["census_year"].first()
    assert by_year["2021-22"] == 2011 and by_year["2022-23"] == 2021
    assert len(load("mha_detention_rates_ethnicity")) == 16  # 8 years x 2 groups


def test_are_the_2021_22_rates_right(load):
    df = load("mha_detention_rates_ethnicity")
    year = df[df["year"] == "2021-22"].set_index("ethnic_group")["rate_per_100k"]
    assert year["Black or Black British"] == pytest.approx(341.7)
    assert year["White"] == pytest.approx(72.4)


# --------------------------------------------------------------------------- AMHP workforce


def test_are_the_workforce_key_figures_right(load):
    df = load("amhp_workforce")
    sfc = df[(df["period"] == "2019/20") & (df["group"] == "AMHPs")].set_index("measure")["value"]
    assert sfc["headcount"] == 3900
    assert sfc["share who are social workers"] == 95
    assert sfc["share who are registered nurses"] == 4
    tcsw = df[df["period"] == "2013"].iloc[0]
    assert (tcsw["value"], tcsw["source_lines"]) == (96, "L100")


def test_do_two_estimates_for_2019_disagree_as_published(load):
    df = load("amhp_workforce")
    heads = df[(df["period"] == "2019") & (df["measure"] == "headcount")]
    assert sorted(heads["value"]) == [3400, 3730]
    assert set(heads["estimate_by"]) == {"DHSC", "Skills for Care"}


def test_are_seed_figures_printed_on_their_lines():
    """Every workforce figure with source_lines appears on that line of its seed document."""
    import pandas as pd

    seeds = seeds_dir()
    if seeds is None:
        pytest.skip("seed documents not found: set MHSW_SEEDS or put them in ../shared/seeds")
    df = pd.read_csv(DATA / "amhp_workforce.csv", dtype=str, keep_default_na=False)
    rows = df[df["source_lines"] != ""]
    assert len(rows) >= 1
    for _, row in rows.iterrows():
        lines = (seeds / row["source_file"]).read_text(encoding="utf-8").splitlines()
        first, _, last = row["source_lines"].lstrip("L").partition("-L")
        text = "\n".join(lines[int(first) - 1 : int(last or first)])
        digits = row["value"].removesuffix(".0")
        assert re.search(rf"(?<![\d.]){re.escape(digits)}(?![\d])", text), (
            f"{row['value']} not found at {row['source_file']} {row['source_lines']}"
        )


# --------------------------------------------------------------------------- synthetic log


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_amhp_referrals", DATA / "scripts" / "make_amhp_referrals.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_does_the_script_regenerate_the_committed_csv_exactly(tmp_path):
    module = _generator()
    out = tmp_path / "referrals.csv"
    module.write_csv(module.generate(), out)
    committed = (DATA / "amhp_referrals_synthetic.csv").read_bytes()
    assert out.read_bytes() == committed, (
        "data/amhp_referrals_synthetic.csv differs from what the script makes: "
        "run python data/scripts/make_amhp_referrals.py and commit the result"
    )


def test_is_the_synthetic_log_marked_synthetic():
    assert _fragment("amhp_referrals_synthetic")["synthetic"] is True
    for name in NATIONAL:
        assert _fragment(name)["synthetic"] is False


def test_is_the_synthetic_log_internally_consistent(load):
    df = load("amhp_referrals_synthetic")
    assert len(df) == 1449
    # Westmoor, the fictional county of the module's scenarios: referral numbers WM-00001 on
    assert df["referral_id"].str.fullmatch(r"WM-\d{5}").all()
    assert df["referral_id"].iloc[0] == "WM-00001" and df["referral_id"].is_unique
    assert "Westmoor" in _fragment("amhp_referrals_synthetic")["description"]
    assert df["referral_date"].min().isoformat()[:10] == "2025-04-01"
    assert df["referral_date"].max().isoformat()[:10] <= "2026-03-31"
    # detained exactly when a section is recorded
    assert (df["detained"] == df["section_used"].notna()).all()
    # no assessment, no waiting time
    not_done = df["outcome"] == "assessment not completed"
    assert df.loc[not_done, "time_to_assessment_hours"].isna().all()
    assert df.loc[~not_done, "time_to_assessment_hours"].notna().all()
    # a s136 assessment starts within the 24-hour detention period
    s136 = df["referral_source"] == "police (s136)"
    assert df.loc[s136, "time_to_assessment_hours"].max() < 24
    # in hours = weekday 09:00-16:59 (bank holidays are out of hours)
    weekend = df["weekday"].isin(["Saturday", "Sunday"])
    assert not df.loc[weekend, "in_hours"].any()
    assert not df.loc[(df["referral_hour"] < 9) | (df["referral_hour"] > 16), "in_hours"].any()
    assert not df.loc[df["referral_date"] == "2025-12-25", "in_hours"].any()


def test_is_the_synthetic_log_plausible_against_national_figures(load):
    df = load("amhp_referrals_synthetic")
    detentions = int(df["detained"].sum())
    assert detentions == 651
    per_100k = detentions / 700_000 * 100_000
    assert 80 <= per_100k <= 100, "national rates were 86-94 per 100,000 in 2021-22"
    shares = df.loc[df["detained"], "section_used"].value_counts(normalize=True)
    assert shares["s2"] > shares["s3"] > shares["s4"]
    s136 = df[df["referral_source"] == "police (s136)"]
    assert s136["detained"].mean() < 0.2
    assert 0.35 < df["in_hours"].mean() < 0.5


# --------------------------------------------------------------------------- CTOs


def test_is_the_only_verified_cto_year_the_official_one(load):
    frame = load("mha_cto_rates_ethnicity")
    verified = frame[frame["status"].astype(str) == "V"]
    assert set(verified["year"].astype(str)) == {"2020-21"}
    rates = verified.set_index("ethnic_group")["rate_per_100k"]
    assert rates["Black or Black British"] == 78.9 and rates["White"] == 7.8
    assert round(78.9 / 7.8, 1) == 10.1  # "over ten times", as NHS Digital put it
    assert (verified["ratio_as_reported"] == "over ten times").all()


def test_are_rates_seen_only_as_ratios_left_empty(load):
    frame = load("mha_cto_rates_ethnicity")
    ratio_only = frame[frame["year"].astype(str).isin(["2021-22", "2022-23", "2023-24", "2024-25"])]
    assert ratio_only["rate_per_100k"].isna().all(), "a rate not seen in a source must stay empty"
    assert (ratio_only["status"].astype(str) != "V").all()


def test_is_the_cto_disparity_larger_than_the_detention_disparity_in_the_same_year(load):
    cto = load("mha_cto_rates_ethnicity")
    det = load("mha_detention_rates_ethnicity")

    def ratio(frame, year):
        rows = frame[frame["year"].astype(str) == year].set_index("ethnic_group")
        return (
            rows.loc["Black or Black British", "rate_per_100k"] / rows.loc["White", "rate_per_100k"]
        )

    assert ratio(cto, "2020-21") > 2 * ratio(det, "2020-21")
