"""The scenario schema: pydantic models of a scenario file's fields, with their bounds."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

Year = Annotated[int, Field(ge=1949, le=2100)]
Role = Literal["lead", "augmenting", "framework", "contributor", "host"]
Rule = Literal["deploying_nation_pays", "common_fund"]
KeyName = Literal["nato", "nato_derived", "gdp", "population", "un_regular", "equal", "custom"]
UnitKind = Literal["fighter", "land", "frigate", "mcm", "exercise"]
Accounting = Literal["reimbursement_lowers_spending", "reimbursement_frees_budget"]
Share = Annotated[float, Field(ge=0, le=1)]


class Strict(BaseModel):
    """Frozen; unknown fields are errors (a typo never passes silently), and so are numbers
    that are not finite (.inf, .nan)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_truth_for_a_number(cls, value: object, info: ValidationInfo) -> object:
        """YAML reads yes/no/true/false as booleans, which pydantic would take as 1 and 0, in a
        number or in a list or mapping of numbers (no field holds a boolean)."""
        truth = _truth_in(value)
        if truth is not None and _numeric(cls.model_fields[info.field_name].annotation):
            raise ValueError(f"expected a number, got {str(truth).lower()}")
        return value


def _numeric(annotation: object) -> bool:
    """Whether a field holds numbers: int or float, optional or not, alone or in lists and
    mappings (models nested in a field check their own fields)."""
    return annotation in (int, float) or any(_numeric(a) for a in get_args(annotation))


def _truth_in(value: object) -> bool | None:
    """The first boolean in a value, its lists and mappings (None if there is none)."""
    if isinstance(value, bool):
        return value
    items = [*value.keys(), *value.values()] if isinstance(value, dict) else (
        value if isinstance(value, list | tuple) else [])
    return next((t for t in map(_truth_in, items) if t is not None), None)


def _not_before_start(end, info: ValidationInfo):
    """An end that comes before its start is the end's error (its line is named)."""
    start = info.data.get("start")
    if end is not None and start is not None and end < start:
        raise ValueError(f"end {end} is before start {start}")
    return end


class Contribution(Strict):
    """One ally's forces in one mission over a span of years (the same level each year)."""

    ally: str = Field(description="ISO 3166 alpha-3 code of the contributing ally, e.g. GBR.")
    role: Role = Field(description="Lead/augmenting (air policing) or framework/contributor.")
    start: Year = Field(description="First year of the contribution.")
    end: Year | None = Field(None, description="Last year (inclusive); defaults to start.")
    troops: float | None = Field(None, ge=0, le=1e7,
                                 description="Personnel deployed while present.")
    aircraft: float | None = Field(None, ge=0, le=1e4, description="Fighter aircraft deployed.")
    host_support_eur: float | None = Field(
        None, ge=0, le=1e12, description="Host-nation support a host spends on the mission, "
        "EUR a year."
    )
    months: float = Field(12, gt=0, le=12, description="Months present in each year.")
    rotations_per_year: float = Field(
        2, ge=0, le=12, description="Troop contingents only: how often the contingent is "
        "replaced in a year (each replacement moves one contingent's equipment once)."
    )
    source: str | None = Field(None, description="Where the figure comes from.")

    _end = field_validator("end")(_not_before_start)

    @model_validator(mode="after")
    def _span_and_size(self) -> Contribution:
        if self.troops is None and self.aircraft is None and self.host_support_eur is None:
            raise ValueError("give troops, aircraft or host_support_eur (what is provided)")
        return self

    @property
    def last_year(self) -> int:
        """The last year of the contribution (its first, when no end is given)."""
        return self.start if self.end is None else self.end


class Mission(Strict):
    """A mission written out in a scenario: who provides what, when."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Short identifier, snake_case.")
    name: str = Field(description="Name shown in tables and figures.")
    hosts: list[str] = Field(min_length=1, description="ISO3 codes of the host allies.")
    contributions: list[Contribution] = Field(
        min_length=1, description="Who provides what, when.")


class UnitCost(Strict):
    """A unit cost in a currency of a price year; low/high bound a PERT draw."""

    central: float = Field(ge=0, le=1e9, description="Central value, per unit of the category.")
    low: float | None = Field(None, ge=0, le=1e9, description="Low end of the range (draws); "
                              "in a scenario, the shipped one when not given.")
    high: float | None = Field(None, ge=0, le=1e9, description="High end of the range "
                               "(draws); in a scenario, the shipped one when not given.")
    currency: Literal["USD", "EUR"] = Field("EUR", description="Currency of the values; in a "
                                            "scenario, the shipped one when not given.")
    source: str | None = Field(None, description="Where the figure comes from.")

    @property
    def bounds(self) -> tuple[float, float]:
        """(low, high): the central value where an end is not given (no range that side)."""
        return (self.central if self.low is None else self.low,
                self.central if self.high is None else self.high)

    @model_validator(mode="after")
    def _ordered(self) -> UnitCost:
        low, high = self.bounds
        if not low <= self.central <= high:
            raise ValueError(f"need low <= central <= high, got {low:.12g}, {self.central:.12g}, "
                             f"{high:.12g} (for a central value beyond the range, set low or "
                             "high too)")
        return self


def merged_cost(shipped: UnitCost, override: UnitCost | None) -> UnitCost:
    """A scenario's unit cost: the fields it gives, the shipped cost's for the rest (its
    currency and range: {central: 19321} for a USD flight hour stays USD, with its range)."""
    if override is None:
        return shipped
    return shipped.model_copy(update=override.model_dump(include=override.model_fields_set))


class CostLevel(Strict):
    """How a deploying ally's price level scales its personnel and air-policing costs."""

    beta: float | None = Field(
        None, ge=0, le=1, description="Elasticity of those costs to the ally's GDP per capita "
        "relative to the allies' combined (data/cost_level.csv's fitted value when omitted; 0 "
        "switches the level off: every ally at the same prices).")


class KeyCap(Strict):
    """Hold one ally's key share at another's, or at a maximum; the excess goes pro rata."""

    ally: str = Field(description="ISO3 code of the ally whose share is capped.")
    at_share_of: str | None = Field(None, description="Cap at this ally's share (e.g. DEU).")
    max_share: float | None = Field(None, gt=0, le=1, description="Cap at this share.")

    @model_validator(mode="after")
    def _one_rule(self) -> KeyCap:
        if (self.at_share_of is None) == (self.max_share is None):
            raise ValueError("give exactly one of at_share_of and max_share")
        return self


class FundingKey(Strict):
    """How allies finance a fund: a named key, custom weights, and optional caps."""

    name: KeyName = Field(description="nato (NATO's cost shares by period), nato_derived, gdp, "
                         "population, un_regular, equal or custom.")
    weights: dict[str, Annotated[float, Field(ge=0, le=1e12)]] | None = Field(
        None, description="Custom key only: a weight for every member ally (ISO3 -> weight)."
    )
    caps: list[KeyCap] = Field(default_factory=list, description="Caps applied in order.")

    @model_validator(mode="after")
    def _weights_for_custom(self) -> FundingKey:
        if self.name == "custom" and self.weights is None:
            raise ValueError("name: custom needs weights (ISO3 -> weight)")
        if self.name != "custom" and self.weights is not None:
            raise ValueError(f"weights go with name: custom, not {self.name} (whose shares "
                             "come from the data)")
        return self


class Policy(Strict):
    """Who bears deployment costs, and, for a common fund, what it repays and who pays in."""

    rule: Rule = Field(description="Who bears deployment costs.")
    fraction: Share = Field(1.0, description="Share of eligible costs the fund reimburses.")
    key: FundingKey = Field(FundingKey(name="nato"),
                            description="How allies finance the fund (a name, or a mapping).")
    eligible_missions: list[str] | None = Field(
        None, min_length=1, description="Mission ids the fund covers; all missions when "
        "omitted (an empty list is an error: the fund would cover nothing)."
    )
    eligible_categories: list[str] | None = Field(
        None, min_length=1, description="Cost categories the fund covers "
        "(data/unit_costs.csv); all when omitted (an empty list is an error)."
    )
    annual_cap_usd: float | None = Field(
        None, ge=0, le=1e13, description="Most the fund pays out in a year (USD); pro rata "
        "when it binds."
    )
    phase_in: dict[Year, Share] | None = Field(
        None, description="Year -> share of the fraction in force; 0 before the first year "
        "listed, the latest value after it."
    )
    accounting: Accounting = Field(
        "reimbursement_lowers_spending",
        description="Whether a reimbursement lowers the deployer's reported defence spending "
        "or frees budget for other defence uses.",
    )

    @model_validator(mode="before")
    @classmethod
    def _key_by_name(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("key"), str):
            return {**data, "key": {"name": data["key"]}}
        return data


class Projection(Strict):
    """Years past the data: GDP grows at a rate; defence shares move towards a target."""

    gdp_growth_pct: float = Field(0.0, ge=-20, le=20, description="Nominal GDP growth a year.")
    defence_target_pct: float | None = Field(
        None, ge=0, le=20, description="Defence spending target, % of GDP (e.g. 3.5)."
    )
    target_year: Year | None = Field(None, description="Year by which the target is reached.")

    @model_validator(mode="after")
    def _target_and_year(self) -> Projection:
        if (self.defence_target_pct is None) != (self.target_year is None):
            raise ValueError("defence_target_pct and target_year go together")
        return self


class Uncertain(Strict):
    """A parameter that varies in a sweep: a distribution, or a list of values."""

    distribution: Literal["uniform", "triangular", "pert", "normal", "lognormal"] | None = Field(
        None, description="A scipy.stats distribution (docs/sweeps.md), or give values.")
    low: float | None = Field(None, description="Lower bound (uniform, triangular, pert).")
    mode: float | None = Field(None, description="Most likely value (triangular, pert).")
    high: float | None = Field(None, description="Upper bound (uniform, triangular, pert).")
    mean: float | None = Field(None, description="normal")
    sd: float | None = Field(None, description="Standard deviation (normal).")
    median: float | None = Field(None, description="lognormal")
    sigma: float | None = Field(None, description="Standard deviation of log (lognormal).")
    values: list[float] | None = Field(None, min_length=1, description="Explicit values.")

    @model_validator(mode="after")
    def _consistent(self) -> Uncertain:
        if (self.distribution is None) == (self.values is None):
            raise ValueError("give a distribution or values, not both")
        need = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"),
                "pert": (), "normal": ("mean", "sd"), "lognormal": ("median", "sigma")}
        for name in need.get(self.distribution or "", ()):
            if getattr(self, name) is None:
                raise ValueError(f"{self.distribution} needs {', '.join(need[self.distribution])}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low {self.low} must be below high {self.high}")
        if self.mode is not None and not (self.low or 0) <= self.mode <= (self.high or self.mode):
            raise ValueError(f"mode {self.mode} must lie between low and high")
        for name in ("sd", "sigma", "median"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, got {value}")
        return self


Days = Annotated[float, Field(gt=0, le=3650)]


class Surge(Strict):
    """A mission's requirement multiplied from a date, for a number of days (and only on them).

    Detachments or ships: the extra ones (rounded up) are open slots for the days of the surge.
    Troops: each rotation's contingents x 1 + (factor - 1) x its share of days in the surge."""

    mission: str = Field(description="Catalogue id of the mission.")
    start: date = Field(description="First day of the surge (YYYY-MM-DD).")
    days: int = Field(gt=0, le=36500, description="How long it lasts, in days.")
    factor: float = Field(gt=0, le=20, description="Multiplier of detachments or ships (rounded "
                          "up) on the surge's days; a rotation's troops x 1 + (factor - 1) x "
                          "its share of days in the surge.")


class Change(Strict):
    """An ally joins a mission's rotations, or withdraws from its slots, for the days of a span.

    A join adds its unit to each rotation for the days the rotation shares with the span; a
    withdrawal opens those days of its slots to volunteers (it keeps the days outside)."""

    mission: str = Field(description="Catalogue id of the mission.")
    ally: str = Field(description="ISO3 code of the ally.")
    action: Literal["join", "withdraw"] = Field(description="join (a unit in each rotation for "
                                                "its days in the span) or withdraw (the span's "
                                                "days of its slots go to volunteers).")
    start: date = Field(description="From this day (YYYY-MM-DD).")
    end: date | None = Field(None, description="Until this day; the horizon's end if omitted.")
    personnel: float | None = Field(None, ge=0, le=1e6, description="join: people deployed.")
    aircraft: float | None = Field(None, ge=0, le=1e3,
                                   description="join: aircraft (air policing).")
    aircraft_type: str | None = Field(None, description="join: aircraft type, as in "
                                      "data/catalogue/aircraft.csv (e.g. F-16).")
    ships: float | None = Field(None, ge=0, le=1e3, description="join: ships (maritime groups).")

    @model_validator(mode="after")
    def _sized(self) -> Change:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        if self.action == "join" and not (self.personnel or self.aircraft or self.ships):
            raise ValueError("a join needs personnel, aircraft or ships")
        return self


class Deployment(Strict):
    """Missions from the shipped catalogue, generated by the SimPy deployment engine."""

    missions: list[str] | None = Field(
        None, min_length=1, description="Catalogue mission ids (data/catalogue/missions.yaml); "
        "all if omitted (an empty list is an error: nothing would deploy).")
    plan: Literal["recorded", "open"] = Field(
        "recorded", description="recorded: contributors as recorded fill their slots; open: "
        "only framework nations and commands are fixed, other slots go to volunteers.")
    elasticity: float = Field(0.0, ge=0, le=20, description="How strongly volunteering falls "
                              "with what a deployment costs the ally (0: by past record only).")
    prior_slots: float = Field(0.5, ge=0, le=1e6, description="Weight of an ally with a pool "
                               "but no record, in recorded slots (smooths the propensities).")
    seed: int = Field(0, ge=0, description="Seed of the volunteers' draws.")
    interval_days: dict[str, Annotated[float, Field(ge=7, le=3650)]] = Field(
        default_factory=dict, description="Mission id -> days between rotations (at least a "
        "week: each rotation is simulated).")
    duration_days: dict[str, Days] = Field(
        default_factory=dict, description="Mission id -> days a rotation stays in theatre.")
    transit_days: dict[str, Annotated[float, Field(ge=0, le=365)]] = Field(
        default_factory=dict, description="Mission id -> days of travel each way.")
    recovery_days: dict[UnitKind, Annotated[float, Field(ge=0, le=3650)]] = Field(
        default_factory=dict, description="Unit kind -> days a unit recovers after return.")
    pools: dict[str, dict[UnitKind, Annotated[int, Field(ge=0, le=10_000)]]] = Field(
        default_factory=dict, description="Ally -> unit kind -> deployable units.")
    surges: list[Surge] = Field(default_factory=list, description="Requirement surges.")
    changes: list[Change] = Field(default_factory=list, description="Joins and withdrawals.")


class Years(Strict):
    """The scenario's horizon, both years included."""

    start: Year = Field(description="First year.")
    end: Year = Field(description="Last year (past 2024 only with a projection).")

    _end = field_validator("end")(_not_before_start)


class Scenario(Strict):
    """A scenario: which missions, which years, which cost-sharing policy."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$",
                      description="Label of the results (unique in a comparison).")
    description: str = Field("", description="One or two sentences for readers.")
    edition: str | None = Field(
        None, description="Defence-expenditure edition (default: the baseline's)."
    )
    years: Years = Field(description="The horizon.")
    missions: list[Mission] = Field(
        default_factory=list, description="The missions, or the path of a YAML file (relative "
        "to the scenario) whose missions: list several scenarios share. Give missions or "
        "deployment.")
    deployment: Deployment | None = Field(
        None, description="Generate the missions with the deployment engine instead.")
    unit_costs: dict[str, UnitCost] = Field(
        default_factory=dict, description="Overrides of the shipped unit costs, by category "
        "(data/unit_costs.csv)."
    )
    cost_level: CostLevel = Field(
        CostLevel(), description="National cost level: costs of deploying scale with the "
        "ally's GDP per capita (methodology.md, section 2).")
    policy: Policy = Field(description="The cost-sharing rule.")
    projection: Projection | None = Field(
        None, description="How to extend GDP and defence shares past the last data year."
    )
    parameters: dict[str, Uncertain] = Field(
        default_factory=dict, description="What varies in a sweep: dotted path -> "
        "distribution or values (e.g. policy.fraction, unit_costs.person_year)."
    )
    samples: int = Field(0, ge=0, le=1_000_000, description="Monte Carlo draws of unit costs "
                         "(at most what fits a run's 4 GB: about 30,000 over 8 years; a larger "
                         "Monte Carlo belongs in burden-sim sweep).")
    seed: int = Field(0, ge=0, description="Seed of the draws (numpy SeedSequence).")

    @model_validator(mode="after")
    def _one_source_of_missions(self) -> Scenario:
        if bool(self.missions) == (self.deployment is not None):
            raise ValueError("give missions: (a list or a file) or deployment: (the engine), "
                             "not both" if self.missions else "give missions: or deployment:")
        return self

    @property
    def year_list(self) -> list[int]:
        """Every year of the scenario, first to last."""
        return list(range(self.years.start, self.years.end + 1))



def field_names() -> set[str]:
    """Every field name a scenario file may use, at any depth (for "did you mean")."""
    return {f for model in Strict.__subclasses__() for f in model.model_fields}
