"""Make ``data/amhp_referrals_synthetic.csv``: a year of invented referrals to an AMHP service.

The log describes **no real person and no real service**. It is a teaching dataset for Module 3
(AMHP practice): one row is one referral for a Mental Health Act assessment received by the
AMHP service of "Westmoor", a fictional English county of about 700,000 residents, between
1 April 2025 and 31 March 2026 (the same April-to-March year as the national statistics).

Run it from the repository root; it always writes the same file (fixed seed, standard library
only, no dependence on numpy or pandas versions)::

    python data/scripts/make_amhp_referrals.py   # rewrites data/amhp_referrals_synthetic.csv
    python data/scripts/make_amhp_referrals.py --out x.csv

Assumptions (all invented for teaching, chosen to be plausible; change them here, not in the CSV):

* Volume: on average 4.4 referrals a day on weekdays, fewer at weekends and bank holidays
  (x0.75), so about 1,400 a year. No national count of AMHP assessments is published in the
  course sources, so the volume is set so that detentions come out near the national rate of
  detention: about 90 detentions per 100,000 people a year (NHS Digital, Mental Health Act
  Statistics 2021-22: 93.8 per 100,000 for males and 86.4 for females).
* Referral sources and their shares (before the weekend adjustment) are in ``SOURCES``. Police
  referrals under s136 are the largest single source, as section 136 is used tens of thousands
  of times a year in England and Wales (34,685 in 2022-23, Home Office figures as reported by
  Community Care, October 2024) and each person removed to a place of safety is to be examined
  by a doctor and interviewed by an AMHP (MHA 1983 s136(2)).
* Few s136 referrals end in detention (about 1 in 8 here): NHS England counted 3,392
  detentions following a place of safety order in 2022-23, against tens of thousands of uses
  of s136 (Mental Health Act Statistics, Annual Figures 2022-23).
* Among detentions, section 2 is the most common (about 3 in 4 here). In 2022-23, 30,442 of the
  34,982 detentions on admission were under s2 (Community Care, 26 January 2024, reporting
  NHS England figures). Section 3 is more common for people already on a ward; s4 is rare.
* "In hours" means Monday to Friday, 09:00 to 16:59, and not an English bank holiday
  (GOV.UK, UK bank holidays). A daytime AMHP team in the style of the Devon service described
  in the 2016-17 Chief Social Worker's report (003_..., L752-772) would work these hours.
* Time to assessment runs from the referral to the start of the AMHP's assessment, in hours.
  Referrals from police, emergency departments and wards are urgent: the wait is drawn from a
  log-normal distribution with a median that depends on the source, 30% longer out of hours,
  and may end at any hour. Most referrals from other sources (85%) are planned: the
  assessment is booked in working hours, later the same day if the referral came in before
  14:00 on a working day (half of these), otherwise on one of the next working days; the
  other 15% are treated as urgent. The wait is empty when no assessment took place.
* No ethnicity, sex or other personal characteristic is generated: invented figures on
  ethnicity would teach nothing true about racial disparities. Use the national dataset
  ``mha_detention_rates_ethnicity`` for that.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 20251122
START = date(2025, 4, 1)
END = date(2026, 3, 31)
WEEKDAY_RATE = 4.4  # mean referrals per weekday
WEEKEND_FACTOR = 0.75
BANK_HOLIDAYS = {  # England, within the year covered (GOV.UK, UK bank holidays)
    date(2025, 4, 18),
    date(2025, 4, 21),
    date(2025, 5, 5),
    date(2025, 5, 26),
    date(2025, 8, 25),
    date(2025, 12, 25),
    date(2025, 12, 26),
    date(2026, 1, 1),
}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

AGE_BANDS = ["under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75 and over"]
AGE_WEIGHTS = [0.02, 0.14, 0.22, 0.19, 0.16, 0.11, 0.08, 0.08]

OUTCOMES = [
    "detained under s2",
    "detained under s3",
    "detained under s4",
    "informal admission",
    "community alternative",
    "no further action",
    "assessment not completed",
]
SECTION_OF = {"detained under s2": "s2", "detained under s3": "s3", "detained under s4": "s4"}

# hour-of-day profiles: 24 relative weights, 00:00 first
_DAY = [0.2] * 8 + [2, 3, 3, 3, 2.5, 3, 3, 2.5, 2] + [0.6] * 7
_LONG_DAY = [0.4] * 7 + [1, 2, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2, 2, 1.8, 1.5, 1.2, 0.8] + [0.5]
_EVENING = [
    1.2,
    1.0,
    0.8,
    0.6,
    0.4,
    0.3,
    0.3,
    0.4,
    0.6,
    0.8,
    1,
    1.1,
    1.2,
    1.3,
    1.5,
    1.7,
    1.9,
    2.1,
    2.3,
    2.4,
    2.4,
    2.2,
    1.9,
    1.5,
]

# source: (share of referrals, weekend factor, hour profile, median hours to assessment,
#          outcome probabilities in the order of OUTCOMES)
SOURCES: dict[str, tuple[float, float, list[float], float, list[float]]] = {
    "police (s136)": (0.22, 1.3, _EVENING, 5.0, [0.10, 0.02, 0.00, 0.15, 0.30, 0.41, 0.02]),
    "emergency department": (0.13, 1.2, _EVENING, 7.0, [0.38, 0.07, 0.01, 0.16, 0.22, 0.13, 0.03]),
    "community mental health team": (
        0.17,
        0.1,
        _DAY,
        20.0,
        [0.40, 0.18, 0.01, 0.12, 0.17, 0.07, 0.05],
    ),
    "crisis or home treatment team": (
        0.13,
        1.0,
        _LONG_DAY,
        12.0,
        [0.45, 0.10, 0.01, 0.13, 0.20, 0.06, 0.05],
    ),
    "inpatient ward": (0.12, 0.8, _LONG_DAY, 4.0, [0.45, 0.25, 0.00, 0.20, 0.03, 0.06, 0.01]),
    "GP": (0.11, 0.1, _DAY, 18.0, [0.40, 0.05, 0.02, 0.12, 0.22, 0.12, 0.07]),
    "nearest relative request (s13(4))": (
        0.02,
        0.5,
        _DAY,
        30.0,
        [0.35, 0.10, 0.00, 0.10, 0.20, 0.20, 0.05],
    ),
    "family or carer": (0.03, 0.8, _LONG_DAY, 24.0, [0.33, 0.05, 0.01, 0.10, 0.25, 0.18, 0.08]),
    "other (court, prison, housing, other agency)": (
        0.07,
        0.3,
        _DAY,
        24.0,
        [0.35, 0.10, 0.01, 0.10, 0.20, 0.16, 0.08],
    ),
}
URGENT = {"police (s136)", "emergency department", "inpatient ward"}
PLANNED_SHARE = 0.85  # share of other referrals booked into working hours
# a s136 assessment must start within the 24-hour detention period (s136(2A), s136B)
MAX_HOURS = {"police (s136)": 23.9}

COLUMNS = [
    "referral_id",
    "referral_date",
    "referral_time",
    "referral_hour",
    "weekday",
    "in_hours",
    "referral_source",
    "age_band",
    "outcome",
    "section_used",
    "detained",
    "time_to_assessment_hours",
]


def _pick(rng: random.Random, items: list[str], weights: list[float]) -> str:
    """One item at random in proportion to its weight (uses only rng.random())."""
    threshold = rng.random() * sum(weights)
    running = 0.0
    for item, weight in zip(items, weights, strict=True):
        running += weight
        if threshold < running:
            return item
    return items[-1]


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _normal(rng: random.Random) -> float:
    """A standard normal draw by the Box-Muller method."""
    u1 = 1.0 - rng.random()  # in (0, 1]
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * rng.random())


def is_in_hours(day: date, hour: int) -> bool:
    return _is_working_day(day) and 9 <= hour <= 16


def _is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def _wait_hours(
    rng: random.Random, day: date, hour: int, minute: int, source: str, in_hours: bool
) -> float:
    """Hours from referral to the start of the assessment (see the module docstring)."""
    median = SOURCES[source][3]
    if source in URGENT or rng.random() >= PLANNED_SHARE:
        hours = median * (1.0 if in_hours else 1.3) * math.exp(0.6 * _normal(rng))
        return min(max(hours, 0.5), MAX_HOURS.get(source, 120.0))
    referred = datetime(day.year, day.month, day.day, hour, minute)
    if in_hours and hour < 14 and rng.random() < 0.5:
        start = referred + timedelta(hours=0.5 + rng.random() * (16.5 - hour - minute / 60))
    else:
        booked = day + timedelta(days=1)
        skip = 0 if rng.random() < 0.6 else (1 if rng.random() < 0.7 else 2)
        while not _is_working_day(booked) or skip > 0:
            if _is_working_day(booked):
                skip -= 1
            booked += timedelta(days=1)
        start = datetime(booked.year, booked.month, booked.day, 9) + timedelta(
            hours=rng.random() * 7.5
        )
    return max((start - referred).total_seconds() / 3600, 0.5)


def generate(seed: int = SEED) -> list[dict[str, str]]:
    """All referrals of the year, in time order, as CSV-ready strings."""
    rng = random.Random(seed)
    names = list(SOURCES)
    rows: list[dict[str, str]] = []
    day = START
    while day <= END:
        weekend = day.weekday() >= 5 or day in BANK_HOLIDAYS
        weights = [SOURCES[n][0] * (SOURCES[n][1] if weekend else 1.0) for n in names]
        mean = WEEKDAY_RATE * (WEEKEND_FACTOR if weekend else 1.0)
        todays = []
        for _ in range(_poisson(rng, mean)):
            source = _pick(rng, names, weights)
            profile = SOURCES[source][2]
            hour = int(_pick(rng, [str(h) for h in range(24)], profile))
            minute = int(rng.random() * 60)
            todays.append((hour, minute, source))
        todays.sort()
        for hour, minute, source in todays:
            outcome_probs = SOURCES[source][4]
            in_hours = is_in_hours(day, hour)
            age = _pick(rng, AGE_BANDS, AGE_WEIGHTS)
            outcome = _pick(rng, OUTCOMES, outcome_probs)
            if outcome == "assessment not completed":
                wait = ""
            else:
                wait = f"{_wait_hours(rng, day, hour, minute, source, in_hours):.1f}"
            rows.append(
                {
                    "referral_id": "",
                    "referral_date": day.isoformat(),
                    "referral_time": f"{hour:02d}:{minute:02d}",
                    "referral_hour": str(hour),
                    "weekday": WEEKDAYS[day.weekday()],
                    "in_hours": "true" if in_hours else "false",
                    "referral_source": source,
                    "age_band": age,
                    "outcome": outcome,
                    "section_used": SECTION_OF.get(outcome, ""),
                    "detained": "true" if outcome in SECTION_OF else "false",
                    "time_to_assessment_hours": wait,
                }
            )
        day += timedelta(days=1)
    for number, row in enumerate(rows, start=1):
        row["referral_id"] = f"WM-{number:05d}"
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    default = Path(__file__).resolve().parents[1] / "amhp_referrals_synthetic.csv"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default, help="where to write the CSV")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (default %(default)s)")
    args = parser.parse_args(argv)
    rows = generate(args.seed)
    write_csv(rows, args.out)
    print(f"wrote {len(rows)} referrals to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
