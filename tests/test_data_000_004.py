"""Datasets from source documents 000 (NIMHE responses, 2006) and 004 (TCRU review, 2006).

Each dataset is loaded with ``helpers.load_dataset`` and checked against facts of its source:
row counts, printed totals against sums computed here, key figures, and for every figure
that names its ``source_lines``, that the figure is printed on that line of the seed
document. The seeds are found through ``MHSW_SEEDS`` or ``../shared/seeds``; the line
checks are skipped, with the reason, when neither exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from _catalogue import PQ_YEARS, assert_described
from _catalogue import resource as _fragment
from _seeds import line_numbers, seed_lines_or_skip

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

SEED_000 = "000_ad3e28551ab1ea7f.txt"
SEED_004 = "004_427684377df95b1f.txt"
NAMES_000 = ["responses_2006", "discussion_paper_questions_2006"]
NAMES_004 = [
    "pq_awards_2000_2005",
    "core_assessment_time",
    "adoption_time",
    "direct_work_estimates",
    "evidence_register",
]
NAMES = NAMES_000 + NAMES_004
SEED_OF = {**dict.fromkeys(NAMES_000, SEED_000), **dict.fromkeys(NAMES_004, SEED_004)}

NUMBER_WORDS = {"two": 2, "four": 4, "eight": 8, "nine": 9, "ten": 10, "twelve": 12}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def seed_lines():
    """name of a seed file -> its lines, numbered from 1 (index 0 is unused)."""
    return seed_lines_or_skip(SEED_000, SEED_004)


def text_at(seed: list[str], source_lines: str) -> str:
    """The text of those lines, with hyphenated names rejoined ('Stanford- Beale')."""
    return re.sub(r"-\s+", "-", " ".join(seed[n] for n in line_numbers(source_lines)))


def cells(line: str) -> list[str]:
    """The tab-separated cells of a printed table row, without HTML tags or spaces."""
    return [re.sub(r"<[^>]+>", "", c).strip() for c in line.split("\t")]


# --------------------------------------------------------------------------- all seven


@pytest.mark.parametrize("name", NAMES)
def test_does_the_dataset_load_with_the_columns_of_its_description(load, name):
    fragment = assert_described(load(name), name, SEED_OF[name])
    assert len(fragment["caveats"]) >= 2, f"{name} needs caveats"
    assert fragment["modules"], f"{name} should name the modules that use it"


@pytest.mark.parametrize("name", NAMES)
def test_do_the_source_lines_point_at_printed_lines_of_the_right_document(load, seed_lines, name):
    seed = seed_lines[SEED_OF[name]]
    for value in load(name)["source_lines"]:
        for part in value.split(","):
            # a range may span blank lines between paragraphs, but it starts and ends on text
            ends = {line_numbers(part)[0], line_numbers(part)[-1]}
            for n in ends:
                assert 0 < n < len(seed), f"{name}: line {n} is past the end of {SEED_OF[name]}"
                assert seed[n].strip(), f"{name}: line {n} of {SEED_OF[name]} is blank"


# --------------------------------------------------------------------------- 000 responses


def test_are_there_fifteen_groups_by_twelve_questions_plus_the_printed_totals(load):
    df = load("responses_2006")
    cells_ = df[~df["is_printed_total"]]
    assert len(df) == 208
    assert len(cells_) == 15 * 12
    assert cells_["organisation_group"].nunique() == 15
    assert df["is_printed_total"].sum() == 15 + 12 + 1


def test_does_every_printed_total_equal_the_sum_of_its_cells(load):
    df = load("responses_2006")
    body = df[~df["is_printed_total"]]
    totals = df[df["is_printed_total"]]
    for _, row in totals.iterrows():
        part = body
        if row["question"] != "All questions":
            part = part[part["question"] == row["question"]]
        if row["organisation_group"] != "All groups":
            part = part[part["organisation_group"] == row["organisation_group"]]
        assert part["answers"].sum() == row["answers"] == row["computed_total"], (
            f"{row['question']} / {row['organisation_group']}"
        )


def test_are_there_1071_answers_from_103_responses(load, seed_lines):
    df = load("responses_2006")
    grand = df[(df["question"] == "All questions") & (df["organisation_group"] == "All groups")]
    assert grand["answers"].tolist() == [1071]
    assert "103 responses" in seed_lines[SEED_000][21]
    body = df[~df["is_printed_total"]]
    # each group's most-answered question adds up to the number of responses
    assert body.groupby("organisation_group", observed=True)["answers"].max().sum() == 103


def test_are_key_counts_as_printed(load):
    df = load("responses_2006").set_index(["question", "organisation_group"])
    assert df.loc[("Q1", "MH Trusts"), "answers"] == 48
    assert df.loc[("All questions", "Local Authorities"), "answers"] == 325
    assert df.loc[("Q11", "All groups"), "answers"] == 77
    assert df.loc[("Q12", "CSIP/NIMHE DC"), "answers"] == 6


def test_did_the_development_centres_give_five_to_eight_answers_per_question(load, seed_lines):
    """Not 8 per question: 5 to 8, 78 in all (Appendix 3A). The caveats say so, and say that the
    local authority count includes individual ASWs and social workers."""
    df = load("responses_2006")
    dc = df[(df["organisation_group"] == "CSIP/NIMHE DC") & ~df["is_printed_total"]]
    assert (dc["answers"].min(), dc["answers"].max(), dc["answers"].sum()) == (5, 8, 78)
    caveats = " ".join(_fragment("responses_2006")["caveats"])
    assert "between 5 and 8 answers per question, 78 in all" in caveats
    assert "individual staff" in caveats
    assert "Including ASws and SWs" in seed_lines[SEED_000][812]


def test_is_every_count_printed_in_its_cell_of_the_table(load, seed_lines):
    seed = seed_lines[SEED_000]
    header = cells(seed[789])
    for _, row in load("responses_2006").iterrows():
        printed = cells(seed[line_numbers(row["source_lines"])[0]])
        column = "Total" if row["question"] == "All questions" else row["question"]
        label = re.sub(r"\s*\*+$", "", printed[0])
        assert label in (row["organisation_group"], "Total")
        assert printed[header.index(column)] == str(row["answers"]), (
            f"{row['question']} / {row['organisation_group']} at {row['source_lines']}"
        )


def test_are_the_twelve_questions_on_their_lines(load, seed_lines):
    seed = seed_lines[SEED_000]
    df = load("discussion_paper_questions_2006")
    assert df["question"].tolist() == [f"Q{i}" for i in range(1, 13)]
    for _, row in df.iterrows():
        (n,) = line_numbers(row["source_lines"])
        assert seed[n].startswith(f"- Q{row['question_number']}.**")
        (s,) = line_numbers(row["summary_lines"])
        assert (
            f"Q {row['question_number']}" in seed[s] or f"and {row['question_number']}" in seed[s]
        )
    assert set(load("responses_2006")["question"].dropna()) - {"All questions"} == set(
        df["question"]
    )


# --------------------------------------------------------------------------- 004 PQ awards


def test_are_there_four_awards_five_years_and_two_measures(load):
    df = load("pq_awards_2000_2005")
    assert len(df) == 40
    assert list(df["year"].cat.categories) == PQ_YEARS
    assert df["year"].cat.ordered
    assert df.groupby(["award", "measure"], observed=True).size().eq(5).all()


def test_is_every_count_in_its_cell_of_the_printed_table(load, seed_lines):
    seed = seed_lines[SEED_004]
    order = ["CCA", "PTA", "MHSWA", "AASW"]
    for _, row in load("pq_awards_2000_2005").iterrows():
        printed = cells(seed[line_numbers(row["source_lines"])[0]])
        assert re.sub(r"\s", "", printed[0]) == row["year"]
        column = 1 + order.index(row["award"]) + (4 if row["measure"] == "awards" else 0)
        assert printed[column] == str(row["count"])


def test_do_the_child_care_awards_add_up_to_the_2168_in_the_text(load, seed_lines):
    df = load("pq_awards_2000_2005")
    cca = df[(df["award"] == "CCA") & (df["measure"] == "awards")]
    assert cca["count"].sum() == 2168
    assert "2,168 CCAs" in seed_lines[SEED_004][397]


def test_does_the_table_contradict_the_stated_fall_in_cca_registrations(load, seed_lines):
    df = load("pq_awards_2000_2005")
    reg = df[df["measure"] == "registrations"].pivot(index="award", columns="year", values="count")
    fall = (100 * (1 - reg["2004-05"] / reg["2003-04"])).round(1)
    assert fall.to_dict() == {"AASW": 22.6, "CCA": 11.8, "MHSWA": 10.6, "PTA": 11.4}
    assert "decline in registrations of 15% for the CCA" in seed_lines[SEED_004][397]


def test_did_mhswa_registrations_fall_while_awards_rose(load):
    df = load("pq_awards_2000_2005")
    mh = df[df["award"] == "MHSWA"].pivot(index="year", columns="measure", values="count")
    assert mh.loc["2000-01", "registrations"] == 479 and mh.loc["2004-05", "registrations"] == 330
    assert mh.loc["2000-01", "awards"] == 246 and mh.loc["2004-05", "awards"] == 285


# --------------------------------------------------------------------------- 004 core assessment


def test_are_there_nine_activities_and_the_printed_total(load):
    df = load("core_assessment_time")
    assert len(df) == 10
    assert df["is_printed_total"].tolist() == [False] * 9 + [True]
    assert df.iloc[-1]["time_as_printed"] == "22.9"


def test_is_every_time_printed_on_its_line(load, seed_lines):
    seed = seed_lines[SEED_004]
    for _, row in load("core_assessment_time").iterrows():
        printed = cells(seed[line_numbers(row["source_lines"])[0]])
        assert printed == [row["activity"], row["time_as_printed"]]


def test_are_the_minutes_read_as_hours_and_minutes(load):
    for _, row in load("core_assessment_time").iloc[:-1].iterrows():
        hours, minutes = re.split(r"[:.]", row["time_as_printed"])
        assert int(minutes) < 60, "every minutes part is below 60, so h:mm is a consistent reading"
        assert row["minutes"] == int(hours) * 60 + int(minutes)


def test_is_the_printed_total_wrong_in_the_way_the_caveat_says(load):
    df = load("core_assessment_time")
    activities, total = df.iloc[:-1], df.iloc[-1]
    # read as hours and minutes the tasks take 24 h 50 min, not the printed 22.9 h
    assert activities["minutes"].sum() == total["minutes"] == 24 * 60 + 50
    assert abs(activities["minutes"].sum() / 60 - 22.9) > 1.9
    # 22.9 is what the printed figures add up to when treated as plain decimals
    assert round(activities["plain_decimal_value"].sum(), 2) == 22.9 == total["plain_decimal_value"]


# --------------------------------------------------------------------------- 004 adoption


def test_is_every_adoption_figure_in_its_cell(load, seed_lines):
    seed = seed_lines[SEED_004]
    df = load("adoption_time")
    assert len(df) == 8
    for _, row in df.iterrows():
        printed = cells(seed[line_numbers(row["source_lines"])[0]])
        column = 1 if row["stage"] == "adoption process" else 2
        assert printed[0] == row["role"] and printed[column] == str(row["hours"])


def test_do_managers_show_as_many_post_placement_hours_as_the_social_worker(load):
    df = load("adoption_time")
    post = df[df["stage"] == "post-placement support"].set_index("role")["hours"]
    assert post["Team managers"] > post["Child's social worker"] > post["Family placement worker"]
    totals = df.groupby("stage", observed=True)["hours"].sum().to_dict()
    assert totals == {"adoption process": 358, "post-placement support": 3154}


# --------------------------------------------------------------------------- 004 direct work


def test_is_every_direct_work_figure_printed_on_its_line(load, seed_lines):
    seed = seed_lines[SEED_004]
    df = load("direct_work_estimates")
    assert len(df) == 8
    for _, row in df.iterrows():
        text = text_at(seed, row["source_lines"]).lower()
        assert row["figure_as_printed"].lower() in text, row["estimate_id"]
        if not pd.isna(row["threshold_as_printed"]):
            assert row["threshold_as_printed"].lower() in text, row["estimate_id"]


def test_do_the_percentages_match_the_printed_figures(load):
    words = {"a quarter": 25, "a third": 33.3, "two thirds": 66.7, "half": 50}
    for _, row in load("direct_work_estimates").iterrows():
        printed = row["figure_as_printed"].lower()
        bounds = [v for v in (row["pct_low"], row["pct_high"]) if not pd.isna(v)]
        assert bounds, row["estimate_id"]
        if re.search(r"\d", printed):
            assert bounds == [float(re.search(r"\d+", printed)[0])] * 2
        else:
            expected = {
                v
                for w, v in words.items()
                if w in printed and not (w == "a third" and "two thirds" in printed)
            }
            assert set(bounds) == expected, row["estimate_id"]
        if len(bounds) == 2:
            assert bounds[0] <= bounds[1]


def test_are_shares_of_people_kept_apart_from_shares_of_time(load):
    df = load("direct_work_estimates")
    people = df[df["figure_kind"] == "share of respondents"]
    assert set(people["estimate_id"]) == {"D1", "D7"}
    assert people["threshold_pct"].notna().all()
    assert df[df["figure_kind"] == "share of time"]["threshold_pct"].isna().all()


def test_is_the_mental_health_diary_study_recorded_as_printed(load, seed_lines):
    df = load("direct_work_estimates").set_index("estimate_id")
    assert df.loc["D3", "pct_low"] == 39 and df.loc["D4", "pct_low"] == 29
    assert df.loc["D3", "sample_size"] == 237 and df.loc["D3", "country"] == "England and Wales"
    assert "237 mental health social workers" in seed_lines[SEED_004][55]


def test_are_focus_groups_and_studies_never_counted_as_people(load, seed_lines):
    """sample_size counts people in most rows, but 17 focus groups in D8 and nine studies in D2:
    sample_unit says which, so the two are never added up as people."""
    df = load("direct_work_estimates").set_index("estimate_id")
    assert df.loc["D8", "sample_unit"] == "focus groups" and df.loc["D8", "sample_size"] == 17
    assert df.loc["D2", "sample_unit"] == "studies" and df.loc["D2", "sample_size"] == 9
    people = df[df["sample_unit"] == "people"]
    assert "D8" not in people.index and "D2" not in people.index
    assert set(df["sample_unit"]) == {"people", "studies", "focus groups"}
    word = {"people": None, "studies": "stud", "focus groups": "focus group"}
    for estimate, row in df[df["sample_size"].notna()].iterrows():
        unit = word[row["sample_unit"]]
        printed = row["sample_as_printed"].lower()
        if unit:
            assert unit in printed, f"{estimate}: sample_as_printed should name the {unit}s"
        else:
            assert "focus group" not in printed and "stud" not in printed, estimate
    assert "17 focus groups" in seed_lines[SEED_004][101]
    assert "m1-roles" in _fragment("direct_work_estimates")["modules"]


# --------------------------------------------------------------------------- 004 evidence register


def test_is_every_discussed_work_cited_on_its_lines(load, seed_lines):
    seed = seed_lines[SEED_004]
    df = load("evidence_register")
    assert len(df) == 85 and df["study_id"].is_unique
    for _, row in df.iterrows():
        text = text_at(seed, row["source_lines"]).lower()
        surname = re.split(r"[ ,]", row["citation"])[0].lower()
        assert surname in text, f"{row['study_id']}: {surname} not at {row['source_lines']}"
        assert max(line_numbers(row["source_lines"])) < 489, (
            "source_lines are body text, not references"
        )
        if not pd.isna(row["year"]) and row["study_id"] != "E23":
            assert str(row["year"]) in text, f"{row['study_id']}: {row['year']} not cited there"


def test_is_every_sample_size_printed_on_its_lines(load, seed_lines):
    seed = seed_lines[SEED_004]
    df = load("evidence_register")
    sized = df[df["sample_size"].notna()]
    assert len(sized) == 21
    for _, row in sized.iterrows():
        printed = row["sample_as_printed"]
        assert printed.lower() in text_at(seed, row["source_lines"]).lower(), row["study_id"]
        first = printed.split()[-1] if printed.startswith("all ") else printed.split()[0]
        assert (int(first) if first.isdigit() else NUMBER_WORDS[first]) == row["sample_size"]


def test_does_every_reference_line_list_the_work(load, seed_lines):
    seed = seed_lines[SEED_004]
    df = load("evidence_register")
    listed = df[df["in_reference_list"]]
    assert listed["reference_line"].notna().all()
    assert df[~df["in_reference_list"]]["reference_line"].isna().all()
    for _, row in listed.iterrows():
        entry = re.sub(r"-\s+", "-", seed[line_numbers(row["reference_line"])[0]])
        assert re.split(r"[ ,]", row["authors"])[0] in entry and str(row["year"]) in entry


def test_is_every_cited_reference_in_the_register(load, seed_lines):
    seed = seed_lines[SEED_004]
    entries = {
        n for n in range(491, len(seed)) if seed[n].strip() and not seed[n].startswith("www.")
    }
    covered = {line_numbers(v)[0] for v in load("evidence_register")["reference_line"].dropna()}
    assert entries - covered == {534}, "only Ford et al. 2005 is listed but never cited"
    assert "Ford" in seed[534]


def test_are_the_review_questions_and_key_studies_as_printed(load):
    df = load("evidence_register").set_index("citation")
    questions = {q for value in df["review_questions"] for q in value.split("; ")}
    assert questions == {"Q1", "Q2", "Q3", "Q4", "Q5"}
    assert df.loc["Bjorkman and Hansson, 2000", "country"] == "Sweden"
    assert df.loc["Bjorkman and Hansson, 2000", "sample_size"] == 153
    assert df.loc["Carpenter et al., 2003", "review_questions"] == "Q4"
    assert (~df["in_reference_list"]).sum() == 7
    assert df["by_review_authors"].sum() == 6
