"""The scenario-file reference, generated from the pydantic models.

    python -m burden_sim.present.reference > docs/scenario-reference.md
"""

from __future__ import annotations

import types
import typing

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ..inputs.schema import (
    Change,
    Contribution,
    Deployment,
    FundingKey,
    KeyCap,
    Mission,
    Policy,
    Projection,
    Scenario,
    Surge,
    Uncertain,
    UnitCost,
    Years,
)

SECTIONS: list[tuple[type[BaseModel], str, str]] = [
    (Scenario, "the file", "name: common_fund\nedition: \"2024-06\"\nyears: {start: 2017, "
     "end: 2024}\npolicy: {rule: common_fund, fraction: 1.0, key: nato}\n"
     "missions: missions/eastern_flank_2017_2024.yaml"),
    (Years, "years", "years: {start: 2017, end: 2024}"),
    (Mission, "missions[]", "- id: efp_estonia\n  name: Battlegroup Estonia (UK framework)\n"
     "  hosts: [EST]\n  contributions:\n    - {ally: GBR, role: framework, start: 2017, "
     "end: 2021, troops: 800}"),
    (Contribution, "missions[].contributions[]",
     "- {ally: POL, role: lead, start: 2017, aircraft: 4, months: 3.98}\n"
     "- {ally: LTU, role: host, start: 2017, end: 2024, host_support_eur: 1166667}"),
    (Deployment, "deployment", "deployment:\n  missions: [baltic_air_policing, efp_lithuania]\n"
     "  plan: open\n  elasticity: 1.0\n  seed: 7\n  interval_days: {efp_lithuania: 120}\n"
     "  pools: {NOR: {fighter: 2}}"),
    (Surge, "deployment.surges[]", "surges:\n  - {mission: efp_lithuania, start: 2022-02-24, "
     "days: 365, factor: 2.0}"),
    (Change, "deployment.changes[]", "changes:\n  - {mission: efp_latvia, ally: ESP, action: "
     "withdraw, start: 2023-01-01}\n  - {mission: baltic_air_policing, ally: NOR, action: join, "
     "start: 2022-01-01, aircraft: 4, aircraft_type: F-35A, personnel: 85}"),
    (UnitCost, "unit_costs.<category>", "unit_costs:\n  person_year: {central: 50000, low: "
     "40000, high: 120000, currency: EUR}"),
    (Policy, "policy", "policy:\n  rule: common_fund\n  fraction: 0.8\n  key: nato\n"
     "  eligible_categories: [person_move, host_support]\n  annual_cap_usd: 300_000_000\n"
     "  phase_in: {2022: 0.5, 2024: 1.0}\n  accounting: reimbursement_frees_budget"),
    (FundingKey, "policy.key", "key: {name: custom, weights: {USA: 16, DEU: 16, ...}, caps: "
     "[{ally: USA, max_share: 0.2}]}"),
    (KeyCap, "policy.key.caps[]", "caps: [{ally: USA, at_share_of: DEU}]"),
    (Projection, "projection", "projection: {gdp_growth_pct: 0.0, defence_target_pct: 3.5, "
     "target_year: 2035}"),
    (Uncertain, "parameters.<path>", "parameters:\n  policy.fraction: {distribution: uniform, "
     "low: 0.5, high: 1.0}\n  unit_costs.person_year: {distribution: pert}\n"
     "  policy.annual_cap_usd: {values: [2e8, 3e8]}"),
]


def type_name(annotation: object) -> str:
    """A short, readable name for a field's type."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        names = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(names) + (" or null" if type(None) in args else "")
    if origin in (list, tuple):
        return f"list of {type_name(args[0])}"
    if origin is dict:
        return f"mapping {type_name(args[0])} -> {type_name(args[1])}"
    return getattr(annotation, "__name__", str(annotation))


def bounds(field) -> str:
    """A field's numeric bounds, as text."""
    signs = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "min_length": "at least",
             "pattern": "matches"}
    found = []
    for item in field.metadata:
        for attr, sign in signs.items():
            value = getattr(item, attr, None)
            if value is not None:
                found.append(f"{sign} `{value}`")
    return ", ".join(found)


def default(field) -> str:
    """A field's default, as text ("required" when it has none)."""
    if field.is_required():
        return "required"
    value = field.default
    if value is PydanticUndefined or field.default_factory is not None:
        return "empty"
    if value == "":
        return '`""`'
    if isinstance(value, BaseModel):
        return f"`{value.model_dump(exclude_defaults=True)}`"
    return f"`{value}`"


def render() -> str:
    """The whole reference page, in Markdown."""
    lines = ["# Scenario-file reference", "",
             "Generated from the pydantic models in `src/burden_sim/inputs/schema.py` by "
             "`python -m burden_sim.present.reference`; a test checks that this page matches "
             "the code. Unknown fields are rejected. docs/methodology.md explains what each "
             "one does.",
             ""]
    for model, where, example in SECTIONS:
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        lines += [f"## `{where}` ({model.__name__})", ""]
        if doc:
            lines += [doc, ""]
        lines += ["| field | type | default | allowed | description |",
                  "|---|---|---|---|---|"]
        for name, field in model.model_fields.items():
            lines.append(f"| `{name}` | {type_name(field.annotation)} | {default(field)} | "
                         f"{bounds(field)} | {field.description or ''} |")
        lines += ["", "```yaml", example, "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
