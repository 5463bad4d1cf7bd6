"""The mission catalogue: each mission's structure and its recorded rotations, contingents,
command terms and exercises (data/catalogue/), and the activities the engine counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import pandas as pd

from ..errors import DataError
from ..inputs.baseline import DATA_DIR
from ..inputs.loading import load_yaml_with_lines
from ..inputs.schema import UnitKind

CATALOGUE_DIR = DATA_DIR / "catalogue"
PLATFORMS = ("f16", "f15", "typhoon", "gripen", "f18", "mirage2000", "rafale", "f35", "mig29")
# activity: what one unit of it is (the cost category of the same name prices it)
ACTIVITIES: dict[str, str] = {
    "person_day": "person-days deployed, in theatre and in transit (ship crews excluded)",
    "person_move": "persons moved into theatre, one per person and deployment",
    "hns_day": "days of host-nation support for one hosted detachment or contingent",
    **{f"flight_hour_{p}": f"flight hours flown by {p}" for p in PLATFORMS},
    "ship_day_frigate": "days a frigate or destroyer is attached to a group, crew included",
    "ship_day_mcm": "days a mine-countermeasures vessel is attached to a group, crew included",
}
CATEGORIES: tuple[str, ...] = tuple(ACTIVITIES)


@dataclass(frozen=True)
class MissionSpec:
    """The structure of one mission (catalogue/missions.yaml)."""

    id: str
    name: str
    kind: str  # air_policing | land | maritime | exercise
    unit: UnitKind
    hosts: tuple[str, ...]
    since: date
    interval_days: float
    duration_days: float
    transit_days: float
    host_support: bool = False
    aircraft: float = 0.0
    personnel: float = 0.0
    ships: float = 0.0
    flight_hours_per_aircraft_day: float = 0.0
    participant_days: float = 0.0
    detachments: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class Catalogue:
    """The missions' structure and their records, as read from data/catalogue/."""

    missions: dict[str, MissionSpec]
    recovery_days: dict[str, float]
    pools: dict[str, int | str]
    air: pd.DataFrame
    land: pd.DataFrame
    land_plans: pd.DataFrame  # announced changes past the record (the move to brigades)
    maritime: pd.DataFrame
    exercises: pd.DataFrame
    platform_of: dict[str, str]  # aircraft type as recorded -> platform
    flight_hour_scale: float = 1.0  # fitted cost factor on the flight hours (a catch-all)


@cache  # shipped, immutable files: read once per process
def load_catalogue() -> Catalogue:
    """The shipped mission catalogue and its records."""
    path = CATALOGUE_DIR / "missions.yaml"
    data, _ = load_yaml_with_lines(path)
    missions = {}
    for i, m in enumerate(data["missions"]):
        try:
            spec = dict(m)
            spec["hosts"] = tuple(spec.get("hosts", ()))
            spec["detachments"] = tuple((d["from"], int(d["count"]))
                                        for d in spec.get("detachments", ()))
            missions[m["id"]] = MissionSpec(**spec)
        except (TypeError, KeyError) as exc:
            raise DataError(path, f"mission {i}: {exc}") from None
    read = {name: pd.read_csv(CATALOGUE_DIR / f"{name}.csv", keep_default_na=False)
            for name in ("air_policing", "land", "land_plans", "maritime", "exercises",
                         "aircraft")}
    for name in ("air_policing", "land", "land_plans", "exercises"):
        for col in ("start", "end"):
            read[name][col] = pd.to_datetime(read[name][col]).dt.date
    return Catalogue(
        missions=missions,
        recovery_days={k: float(v) for k, v in data["recovery_days"].items()},
        pools=dict(data["pools"]),
        air=read["air_policing"],
        land=read["land"],
        land_plans=read["land_plans"],
        maritime=read["maritime"],
        exercises=read["exercises"],
        platform_of=dict(zip(read["aircraft"].aircraft_type, read["aircraft"].platform,
                             strict=True)),
        flight_hour_scale=float(data.get("flight_hour_scale", 1.0)),
    )


def load_costed() -> pd.DataFrame:
    """Recorded rotations with a published national cost (costed_rotations.csv): one row per
    detachment, contingent or ship, named by its calibration point."""
    table = pd.read_csv(CATALOGUE_DIR / "costed_rotations.csv", keep_default_na=False)
    for col in ("start", "end"):
        table[col] = pd.to_datetime(table[col]).dt.date
    return table
