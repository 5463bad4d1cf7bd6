"""Scenario files: pydantic models, YAML loading, and checks against the baseline."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ScenarioError
from .yaml_lines import line_of, load_yaml_with_lines

Year = Annotated[int, Field(ge=1949, le=2100)]
Role = Literal["lead", "augmenting", "framework", "contributor"]
Rule = Literal["deploying_nation_pays", "common_fund"]
Key = Literal["nato_derived", "gdp", "equal"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contribution(Strict):
    """One ally's forces in one mission over a span of years (the same level each year)."""

    ally: str = Field(description="ISO 3166 alpha-3 code of the contributing ally, e.g. GBR.")
    role: Role = Field(description="Lead/augmenting (air policing) or framework/contributor.")
    start: Year = Field(description="First year of the contribution.")
    end: Year | None = Field(None, description="Last year (inclusive); defaults to start.")
    troops: float | None = Field(None, ge=0, description="Personnel deployed while present.")
    aircraft: float | None = Field(None, ge=0, description="Fighter aircraft deployed.")
    months: float = Field(12, gt=0, le=12, description="Months present in each year.")
    source: str | None = Field(None, description="Where the figure comes from.")

    @model_validator(mode="after")
    def _span_and_size(self) -> Contribution:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.troops is None and self.aircraft is None:
            raise ValueError("give troops or aircraft (how much is deployed)")
        return self

    @property
    def last_year(self) -> int:
        return self.start if self.end is None else self.end


class Mission(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Short identifier, snake_case.")
    name: str
    hosts: list[str] = Field(min_length=1, description="ISO3 codes of the host allies.")
    contributions: list[Contribution] = Field(min_length=1)


class UnitCost(Strict):
    """A unit cost in a currency of a price year; low/high bound a triangular draw."""

    central: float = Field(ge=0)
    low: float | None = Field(None, ge=0)
    high: float | None = Field(None, ge=0)
    currency: Literal["USD", "EUR"] = "EUR"
    source: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> UnitCost:
        low = self.central if self.low is None else self.low
        high = self.central if self.high is None else self.high
        if not low <= self.central <= high:
            raise ValueError(f"need low <= central <= high, got {low}, {self.central}, {high}")
        return self


class Policy(Strict):
    rule: Rule = Field(description="Who bears deployment costs.")
    fraction: float = Field(
        1.0, ge=0, le=1, description="Share of eligible costs the common fund reimburses."
    )
    key: Key = Field("nato_derived", description="How allies finance the fund.")
    eligible_missions: list[str] | None = Field(
        None, description="Mission ids the fund covers; all missions when omitted."
    )


class Years(Strict):
    start: Year
    end: Year

    @model_validator(mode="after")
    def _ordered(self) -> Years:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Scenario(Strict):
    """A scenario: which missions, which years, which cost-sharing policy."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    edition: str | None = Field(
        None, description="Defence-expenditure edition (default: the baseline's)."
    )
    years: Years
    missions: list[Mission] = Field(min_length=1)
    unit_costs: dict[Literal["person_year", "aircraft_month"], UnitCost] = Field(
        default_factory=dict, description="Overrides of the shipped unit costs."
    )
    policy: Policy
    samples: int = Field(0, ge=0, le=1_000_000, description="Monte Carlo draws of unit costs.")
    seed: int = Field(0, ge=0, description="Seed of the draws (numpy SeedSequence).")

    @property
    def year_list(self) -> list[int]:
        return list(range(self.years.start, self.years.end + 1))


def _loc_to_text(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _did_you_mean(name: str) -> str:
    known = {f for model in (Scenario, Years, Mission, Contribution, UnitCost, Policy)
             for f in model.model_fields}
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def load_scenario(path: str | Path) -> Scenario:
    """Parse and validate a scenario file (structure only; see ``check_scenario``)."""
    path = Path(path)
    data, lines = load_yaml_with_lines(path)
    if not isinstance(data, dict):
        raise ScenarioError(path, "(top level)", "expected a mapping of scenario fields", 1)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        # A misspelt key also makes a required one "missing": report the typo first.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        loc = tuple(p for p in err["loc"] if not str(p).startswith("function-after"))
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field" + _did_you_mean(str(loc[-1]))
        elif err["type"] == "literal_error":
            message = f"{message}, got {err['input']!r}"
        more = len(exc.errors()) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise ScenarioError(path, _loc_to_text(loc), message, line_of(lines, loc)) from None
