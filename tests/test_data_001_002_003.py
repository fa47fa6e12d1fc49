"""Datasets from source documents 001 (TCSW 2013), 002 (BASW 2010) and 003 (CSW report 2017).

Each dataset is loaded with ``helpers.load_dataset`` and checked against facts of its source:
row counts, printed totals against computed ones, key figures, and for every figure or row
that names its ``source_lines``, that the figure (or the row's subject) is on that line of the
seed document. The seeds are found through ``MHSW_SEEDS`` or ``../shared/seeds``; the
line checks are skipped, with the reason, when neither exists.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from _catalogue import assert_described
from _catalogue import resource as _resource
from _seeds import line_numbers, seed_lines_or_skip

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

NAMES_003 = ["sw_workforce_jobs", "sw_workforce_rates", "sw_workforce_figures"]
NAMES_001 = ["role_areas_pcf", "key_area_practice_items", "outcome_indicators"]
NAMES_002 = ["partnership_attributes", "integrated_org_characteristics", "basw_recommendations"]
NAMES = NAMES_003 + NAMES_001 + NAMES_002

SEED_001 = "001_c023e8abb9917f2e.txt"
SEED_002 = "002_9a81c5450eb8a6e1.txt"
SEED_003 = "003_e7ab70de27f164c0.txt"
SEED_OF = {
    **dict.fromkeys(NAMES_001, SEED_001),
    **dict.fromkeys(NAMES_002, SEED_002),
    **dict.fromkeys(NAMES_003, SEED_003),
}

PCF_DOMAINS = [
    "Professionalism",
    "Values and ethics",
    "Diversity",
    "Rights justice and economic wellbeing",
    "Knowledge",
    "Critical reflection and analysis",
    "Intervention and skills",
    "Contexts and organisations",
    "Professional leadership",
]
NUMBER_WORDS = {"three": 3, "four": 4, "six": 6}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def seed_lines():
    """name of a seed file -> its lines, numbered from 1 (index 0 is unused)."""
    return seed_lines_or_skip(SEED_001, SEED_002, SEED_003)


def text_at(seed: list[str], source_lines: str) -> str:
    return " ".join(seed[n] for n in line_numbers(source_lines))


def digits(number) -> str:
    """12.5 -> '12.5', 16100.0 -> '16100'."""
    value = float(number)
    return str(int(value)) if value.is_integer() else str(value)


_COMMON = {
    "with",
    "that",
    "from",
    "they",
    "their",
    "this",
    "have",
    "more",
    "will",
    "which",
    "where",
    "when",
    "what",
    "into",
    "such",
    "other",
    "people",
    "social",
    "work",
    "services",
    "service",
    "health",
    "mental",
    "care",
}


def _words(text: str) -> set[str]:
    """Content words, compared on their first six letters ('safeguarding' ~ 'safeguard')."""
    return {w[:6] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _COMMON}


# --------------------------------------------------------------------------- all nine


@pytest.mark.parametrize("name", NAMES)
def test_does_the_dataset_load_with_the_columns_of_its_description(load, name):
    assert_described(load(name), name, SEED_OF[name])


@pytest.mark.parametrize("name", NAMES)
def test_do_the_source_lines_hold_text_of_the_right_document(load, seed_lines, name):
    seed = seed_lines[SEED_OF[name]]
    for value in load(name)["source_lines"]:
        for n in line_numbers(value):
            assert 0 < n < len(seed), f"{name}: line {n} is past the end of {SEED_OF[name]}"
            assert seed[n].strip(), f"{name}: line {n} of {SEED_OF[name]} is blank"


# --------------------------------------------------------------------------- 003 workforce


def test_do_the_sector_jobs_add_up_to_the_printed_total(load):
    df = load("sw_workforce_jobs")
    adult = df[df["workforce"] == "adult social care"]
    total = adult[adult["is_printed_total"]]
    assert len(total) == 1 and total["jobs"].iloc[0] == 18700
    assert adult.loc[~adult["is_printed_total"], "jobs"].sum() == 18700
    by_sector = dict(zip(adult["sector"], adult["jobs"], strict=True))
    assert by_sector == {
        "local authorities": 16100,
        "NHS": 1600,
        "independent sector": 1000,
        "all sectors": 18700,
    }


def test_is_the_printed_local_authority_share_consistent_with_the_counts(load):
    df = load("sw_workforce_jobs").set_index("sector")
    la = df.loc["local authorities"]
    assert la["share_printed_percent"] == 86
    assert round(100 * la["jobs"] / 18700) == 86
    assert la["share_computed_percent"] == pytest.approx(86.1)
    shares = df.loc[["local authorities", "NHS", "independent sector"], "share_computed_percent"]
    assert shares.sum() == pytest.approx(100, abs=0.1)


def test_is_the_adult_year_left_empty_because_it_is_not_printed(load):
    df = load("sw_workforce_jobs")
    assert df.loc[df["workforce"] == "adult social care", "year"].isna().all()
    child = df[df["workforce"] == "child and family social work"]
    assert dict(zip(child["year"], child["jobs"], strict=True)) == {2014: 24620, 2016: 27700}


def test_does_the_printed_child_and_family_increase_match_its_counts(load):
    figures = load("sw_workforce_figures").set_index("figure_id")
    printed = figures.loc["child_family_jobs_increase_2014_2016", "value"]
    assert printed == 12.5
    assert round(100 * (27700 - 24620) / 24620, 1) == printed


def test_are_the_vacancy_and_turnover_rates_as_printed(load):
    df = load("sw_workforce_rates")
    assert len(df) == 6
    rates = {(r.measure, r.year): r.percent for r in df.itertuples()}
    assert rates == {
        ("vacancy rate", 2014): 8,
        ("vacancy rate", 2015): 12,
        ("vacancy rate", 2016): 11,
        ("turnover rate", 2014): 12,
        ("turnover rate", 2015): 13,
        ("turnover rate", 2016): 16,
    }
    turnover = df[df["measure"] == "turnover rate"].sort_values("year")["percent"].tolist()
    assert turnover == sorted(turnover), "the report says turnover rose every year"
    assert df["sector"].nunique() == 1, "the report gives no breakdown by sector"


def test_are_the_key_workforce_figures_present(load):
    df = load("sw_workforce_figures").set_index("figure_id")
    assert len(df) == 22
    expected = {
        "wider_asc_workforce_independent_share": 78,
        "cfwi_demand_growth_population": 40,
        "cfwi_demand_growth_all_factors": 70,
        "cfwi_workforce_growth_needed": 15,
        "cfwi_social_worker_growth_needed": 35,
        "think_ahead_first_cohort": 96,
        "teaching_partnerships_supported": 15,
        "named_sw_pilot_funding": 500000,
        "asye_la_participation": 90,
    }
    for figure_id, value in expected.items():
        assert df.loc[figure_id, "value"] == value, figure_id
    projections = df.index.str.startswith("cfwi_") & (df["unit"] == "percent increase")
    assert projections.sum() == 4
    assert set(df.loc[projections, "year"]) == {"2035"}


def test_do_the_wiltshire_placements_fit_within_the_enquiries(load):
    df = load("sw_workforce_figures").set_index("figure_id")
    placed = sum(
        df.loc[k, "value"]
        for k in (
            "wiltshire_return_placed_adults",
            "wiltshire_return_placed_children",
            "wiltshire_return_awaiting",
        )
    )
    assert placed == 16 <= df.loc["wiltshire_return_enquiries", "value"] == 46
    assert (
        df.loc[df.index.str.startswith("wiltshire_"), "scope"] == "Wiltshire (local case study)"
    ).all()


def test_are_the_job_counts_printed_on_their_lines(load, seed_lines):
    seed = seed_lines[SEED_003]
    for row in load("sw_workforce_jobs").itertuples():
        line = text_at(seed, row.source_lines).replace(",", "")
        assert digits(row.jobs) in line, f"{row.jobs} is not on {row.source_lines}"
        if pd.notna(row.share_printed_percent):
            assert f"{digits(row.share_printed_percent)}%" in line


def test_are_the_rates_printed_on_their_line(load, seed_lines):
    seed = seed_lines[SEED_003]
    for row in load("sw_workforce_rates").itertuples():
        line = text_at(seed, row.source_lines)
        assert f"{digits(row.percent)}%" in line and str(row.year) in line
        assert row.measure in line


def test_is_every_figure_printed_on_its_line_as_recorded(load, seed_lines):
    seed = seed_lines[SEED_003]
    for row in load("sw_workforce_figures").itertuples():
        line = text_at(seed, row.source_lines)
        assert row.value_as_printed in line, (
            f"{row.figure_id}: '{row.value_as_printed}' is not on {row.source_lines}"
        )
        printed = row.value_as_printed.replace(",", "")
        words = [NUMBER_WORDS[w] for w in printed.lower().split() if w in NUMBER_WORDS]
        assert digits(row.value) in printed or words == [row.value], (
            f"{row.figure_id}: value {row.value} does not match '{row.value_as_printed}'"
        )


# --------------------------------------------------------------------------- 001 TCSW draft


def test_does_each_role_area_link_to_the_printed_number_of_domains(load):
    df = load("role_areas_pcf")
    assert len(df) == 25
    assert df["role_area"].value_counts().to_dict() == {
        "LSSA statutory functions": 6,
        "AMHP role and responsibilities": 6,
        "Working in co-production with local communities": 4,
        "Service user and carer involvement": 3,
        "CPD": 3,
        "Leadership": 3,
    }
    counts = df["pcf_domain_number"].value_counts().to_dict()
    assert counts == {1: 3, 2: 2, 3: 4, 4: 2, 5: 2, 6: 2, 7: 4, 8: 4, 9: 2}


def test_are_pcf_domains_an_ordered_category_of_the_nine_domains(load):
    df = load("role_areas_pcf")
    assert df["pcf_domain"].cat.ordered
    assert list(df["pcf_domain"].cat.categories) == PCF_DOMAINS
    positions = df["pcf_domain"].cat.codes + 1
    assert (positions == df["pcf_domain_number"].astype(int)).all()


PCF_DOMAINS_2018 = [
    "Professionalism",
    "Values and ethics",
    "Diversity and equality",
    "Rights, justice and economic wellbeing",
    "Knowledge",
    "Critical reflection and analysis",
    "Skills and interventions",
    "Contexts and organisations",
    "Professional leadership",
]


def test_does_every_domain_carry_its_2018_name_beside_the_drafts_2012_name(load):
    df = load("role_areas_pcf")
    assert list(df["pcf_domain_2018"].cat.categories) == PCF_DOMAINS_2018
    for row in df.itertuples():
        assert row.pcf_domain_2018 == PCF_DOMAINS_2018[int(row.pcf_domain_number) - 1]
    renamed = df[df["pcf_domain"].astype(str) != df["pcf_domain_2018"].astype(str)]
    assert set(renamed["pcf_domain_number"]) == {3, 4, 7}  # 4 only gains a comma


def test_are_the_2013_datasets_described_as_a_superseded_draft():
    for name in ("key_area_practice_items", "role_areas_pcf"):
        text = " ".join(_resource(name)["caveats"])
        assert "superseded" in text and "2014" in text, name
    dols = " ".join(_resource("key_area_practice_items")["caveats"])
    assert "[2026] UKSC 16" in dols and "October 2025" in dols and "multi-factorial" in dols


def test_does_key_area_c_have_no_role_area(load):
    df = load("role_areas_pcf")
    assigned = {
        role: set(group.dropna())
        for role, group in df.groupby("role_area", observed=True)["key_area_assigned"]
    }
    assert assigned == {
        "LSSA statutory functions": {"A"},
        "AMHP role and responsibilities": {"B"},
        "Working in co-production with local communities": {"D"},
        "Service user and carer involvement": set(),
        "CPD": set(),
        "Leadership": set(),
    }
    assert "C" not in set(df["key_area_assigned"].dropna())


def test_is_each_pcf_domain_printed_on_its_line(load, seed_lines):
    seed = seed_lines[SEED_001]
    first_word = {
        1: "Professionalism",
        2: "Values",
        3: "Diversity",
        4: "Rights",
        5: "Knowledge",
        6: "Critical",
        7: "Intervention",
        8: "Contexts",
        9: "Professional Leadership",
    }
    for row in load("role_areas_pcf").itertuples():
        line = text_at(seed, row.source_lines).replace("[bookmark: _GoBack]", "").strip()
        number = int(row.pcf_domain_number)
        assert line.startswith(f"{number}."), f"{row.source_lines} is not domain {number}"
        assert first_word[number] in line


def test_do_varying_descriptors_really_vary_in_the_source(load, seed_lines):
    seed = seed_lines[SEED_001]
    df = load("role_areas_pcf")
    for number, rows in df.groupby("pcf_domain_number"):
        printed = {text_at(seed, lines).split(":", 1)[1].strip() for lines in rows["source_lines"]}
        varies = len(printed) > 1
        assert rows["descriptor_wording_varies"].eq(varies).all(), f"domain {number}"


def test_are_there_nine_six_four_and_five_items_in_areas_a_to_d(load):
    df = load("key_area_practice_items")
    assert len(df) == 24
    assert df["key_area"].value_counts().sort_index().to_dict() == {"A": 9, "B": 6, "C": 4, "D": 5}
    assert list(df["key_area"].cat.categories) == ["A", "B", "C", "D"]


def test_are_the_items_in_printed_order_within_their_key_area(load, seed_lines):
    seed = seed_lines[SEED_001]
    heading = {"A": 263, "B": 277, "C": 286, "D": 297}
    ends = {"A": 275, "B": 284, "C": 293, "D": 305}
    for area, rows in load("key_area_practice_items").groupby("key_area", observed=True):
        assert seed[heading[area]].startswith(f"{area}. ")
        lines = [line_numbers(v)[0] for v in rows.sort_values("item_number")["source_lines"]]
        assert lines == sorted(lines) and len(set(lines)) == len(lines)
        assert heading[area] < lines[0] and lines[-1] <= ends[area]
        for n in lines:
            assert seed[n].lstrip().startswith("·"), f"line {n} is not a bullet point"


def test_does_every_paraphrased_item_share_a_word_with_its_line(load, seed_lines):
    seed = seed_lines[SEED_001]
    for row in load("key_area_practice_items").itertuples():
        shared = _words(row.item) & _words(text_at(seed, row.source_lines))
        assert shared, f"'{row.item}' shares no word with {row.source_lines}"


def test_are_there_thirty_one_indicators_in_four_frameworks(load):
    df = load("outcome_indicators")
    assert len(df) == 31
    assert df["framework"].value_counts().to_dict() == {
        "NHSOF": 5,
        "ASCOF": 11,
        "PHOF": 9,
        "NHWMH": 6,
    }
    assert df["is_placeholder"].sum() == 2
    links = [x for v in df["cross_references"].dropna() for x in v.split("; ")]
    assert len(links) == 10 and df["cross_references"].notna().sum() == 7


def test_are_cross_references_and_placeholders_printed_on_their_lines(load, seed_lines):
    seed = seed_lines[SEED_001]
    for row in load("outcome_indicators").itertuples():
        line = text_at(seed, row.source_lines)
        if pd.notna(row.cross_references):
            for ref in row.cross_references.split("; "):
                framework, _, code = ref.partition(" ")
                assert framework in line and code in line, f"{ref} is not on {row.source_lines}"
        assert ("placeholder" in line.lower()) == bool(row.is_placeholder)


def test_do_indicators_sit_under_their_framework_heading(load, seed_lines):
    seed = seed_lines[SEED_001]
    headings = {"NHSOF": (387, 394), "ASCOF": (396, 412), "PHOF": (414, 436), "NHWMH": (438, 446)}
    for framework, (start, _end) in headings.items():
        assert framework.replace("NHWMH", "No Health") in seed[start]
    for row in load("outcome_indicators").itertuples():
        start, end = headings[row.framework]
        assert all(start < n < end for n in line_numbers(row.source_lines)), row.indicator
        shared = _words(row.indicator) & _words(text_at(seed, row.source_lines))
        assert shared, f"'{row.indicator}' shares no word with {row.source_lines}"


# --------------------------------------------------------------------------- 002 BASW policy


def test_does_every_partnership_attribute_come_from_its_section(load, seed_lines):
    seed = seed_lines[SEED_002]
    ranges = {
        "5.1 Organisational models": (146, 158),
        "5.3 Defining attributes of successful partnerships": (163, 175),
        "7.2 Experiences of practitioners and managers": (266, 296),
    }
    df = load("partnership_attributes")
    assert len(df) == 22
    assert df["section"].value_counts().to_dict() == {
        "5.3 Defining attributes of successful partnerships": 9,
        "7.2 Experiences of practitioners and managers": 11,
        "5.1 Organisational models": 2,
    }
    for row in df.itertuples():
        start, end = ranges[row.section]
        assert all(start <= n <= end for n in line_numbers(row.source_lines)), row.item
        shared = _words(row.item) & _words(text_at(seed, row.source_lines))
        assert shared, f"'{row.item}' shares no word with {row.source_lines}"
    assert set(df["category"]) == set(df["category"].cat.categories), "unused category"


def test_are_the_eight_integration_characteristics_in_printed_order(load, seed_lines):
    seed = seed_lines[SEED_002]
    df = load("integrated_org_characteristics")
    assert df["characteristic_id"].tolist() == list(range(1, 9))
    assert [line_numbers(v)[0] for v in df["source_lines"]] == list(range(180, 188))
    assert "Glendenning (2008)" in seed[178]
    for row in df.itertuples():
        assert row.characteristic.split()[0].lower() in seed[line_numbers(row.source_lines)[0]]
    assert df["dimension"].value_counts().to_dict() == {
        "relational": 3,
        "structural": 3,
        "strategic": 2,
    }


def test_are_there_two_principles_and_twenty_five_practices(load):
    df = load("basw_recommendations")
    assert len(df) == 29
    top = df[df["parent_number"].isna()]
    assert top["subsection"].value_counts().to_dict() == {
        "12.2 Practices and processes": 25,
        "12.1 Principles": 2,
    }
    subs = df[df["parent_number"].notna()]
    assert subs["number"].tolist() == ["12.2.15a", "12.2.15b"]
    assert set(subs["parent_number"]) <= set(top["number"])


def test_are_the_recommendations_in_printed_order_within_section_12(load, seed_lines):
    seed = seed_lines[SEED_002]
    assert seed[343].startswith("12.0 Recommendations")
    first_lines = [line_numbers(v)[0] for v in load("basw_recommendations")["source_lines"]]
    assert first_lines == sorted(first_lines) and len(set(first_lines)) == len(first_lines)
    assert 345 < first_lines[0] and first_lines[-1] < 389
    for n in first_lines:
        assert seed[n].lstrip().startswith("- "), f"line {n} is not a bullet point"


def test_does_every_recommendation_share_a_word_with_its_line(load, seed_lines):
    seed = seed_lines[SEED_002]
    for row in load("basw_recommendations").itertuples():
        shared = _words(row.text) & _words(text_at(seed, row.source_lines))
        assert shared, f"'{row.number}' shares no word with {row.source_lines}"


def test_does_every_recommendation_have_an_audience_and_a_theme(load):
    df = load("basw_recommendations")
    assert df["audience"].notna().all() and df["theme"].notna().all()
    counts = Counter(df["audience"])
    assert counts["not specified"] > counts["health trusts and partnerships"] > 0
