"""Model variants fitted on the calibration points and not shipped (variants.md).

Run from the repository's root with the package installed: ``python
docs/research/calibration_evidence/variants.py``. Each variant uses the shipped points, weights,
held-out rule and bounds of ``burden-sim calibrate``; it prints the leave-one-out rms of the log
ratio of model to published cost, the median held-out ratio, the fitted betas and the usable
points outside 0.5-2 (held out as predicted, the others at the variant's fit).
"""

import numpy as np
from scipy.optimize import least_squares

from burden_sim import api
from burden_sim.model import calibration as cal

BASE = api.calibrate()
POINTS = BASE.points
CATEGORIES = POINTS.categories
FITTED = np.array([CATEGORIES.index(c) for c in BASE.fitted])
IDS, KINDS, ALLIES = (POINTS.table[c].to_numpy() for c in ("id", "kind", "ally"))

# the aircraft type of each air point, and the type's central flight-hour cost (unit_costs.csv)
TYPE = {"CZE_BAP_2012": "gripen", "CZE_ISL_2014": "gripen", "CZE_ISL_2025": "gripen",
        "POL_BAP_2014": "mig29", "POL_BAP_2015": "mig29", "NLD_BAP_2014": "f16",
        "POL_BAP_2017": "f16", "ITA_BAP_2015": "typhoon", "ITA_EAP_BGR_2017": "typhoon",
        "ITA_IAP_ISL_2017": "typhoon", "ITA_AIR_2018": "typhoon",
        "CAN_REASSURANCE_FY2017_20": "f18"}
HOUR = {"f16": 19321, "typhoon": 17321.5, "gripen": 4700, "mig29": 25456, "f18": 18000}


def fit(activity, used, groups, low, high):
    """Prices and one beta per group of levelled categories; ratios at every point."""
    rows = np.flatnonzero(used)
    root_w = np.sqrt(cal.weights(ALLIES, KINDS, used)[rows])
    group = np.zeros((len(groups), len(CATEGORIES)))
    for g, names in enumerate(groups):
        group[g, [CATEGORIES.index(n) for n in names]] = 1

    def prices(theta):
        p = BASE.shipped.astype(float).copy()
        p[FITTED] = np.exp(theta[:len(FITTED)])
        return p

    def level(theta):
        return BASE.relative[:, None] ** (theta[len(FITTED):] @ group)[None, :]

    def residuals(theta):
        model = (activity[rows] * level(theta)[rows]) @ prices(theta)
        return root_w * np.log(model / POINTS.published_eur[rows])

    lo = np.append(np.log(low[FITTED]), np.zeros(len(groups)))
    hi = np.append(np.log(high[FITTED]), np.ones(len(groups)))
    theta = least_squares(residuals, (lo + hi) / 2, bounds=(lo, hi), xtol=1e-12, ftol=1e-12,
                          gtol=1e-12).x
    return (activity * level(theta)) @ prices(theta) / POINTS.published_eur, theta


def variant(groups, activity=POINTS.activity, low=BASE.low, high=BASE.high) -> dict:
    """LOO rms, held-out median, betas, final ratios and the points outside 0.5-2."""
    usable, held = BASE.usable, BASE.held_out
    loo = np.full(len(IDS), np.nan)
    for i in np.flatnonzero(usable):
        without = usable.copy()
        without[i] = False
        loo[i] = fit(activity, without, groups, low, high)[0][i]
    final, theta = fit(activity, usable, groups, low, high)
    validation = fit(activity, usable & ~held, groups, low, high)[0]
    outside = usable & (cal.beyond(final) | (held & cal.beyond(validation)))
    return {"rms": float(np.sqrt(np.mean(np.log(loo[usable]) ** 2))),
            "median": float(np.median(validation[held])), "betas": theta[len(FITTED):],
            "final": final, "outside": [
                f"{IDS[i]} {final[i]:.2f}" + (f" (held out {validation[i]:.2f})" if held[i]
                                              else "") for i in np.flatnonzero(outside)]}


def type_weighted():
    """Aircraft-months times the type's flight-hour cost over its geometric mean on the usable
    air points; the aircraft-month's bounds widened tenfold."""
    c = CATEGORIES.index("aircraft_month")
    factor = np.array([HOUR[TYPE[i]] if i in TYPE else 1.0 for i in IDS])
    air = POINTS.activity[:, c] > 0
    factor /= np.exp(np.mean(np.log(factor[air & BASE.usable])))
    activity = POINTS.activity.copy()
    activity[:, c] *= np.where(air, factor, 1)
    low, high = BASE.low.copy(), BASE.high.copy()
    low[c], high[c] = low[c] / 10, high[c] * 10
    return activity, low, high


BOTH = ("person_year", "aircraft_month")


def variants() -> dict[str, dict]:
    """Every variant of variants.md, by its name there."""
    return {
        "shipped: one beta on person-years and aircraft-months": variant([BOTH]),
        "one beta for person-years, one for aircraft-months": variant(
            [("person_year",), ("aircraft_month",)]),
        "aircraft-months weighted by the type's flight-hour cost": variant(
            [BOTH], *type_weighted()),
    }


if __name__ == "__main__":
    for name, v in variants().items():
        print(f"{name}: LOO rms {v['rms']:.3f}, held-out median {v['median']:.2f}, "
              f"betas {np.round(v['betas'], 3)}")
        print("  outside:", ", ".join(v["outside"]))
