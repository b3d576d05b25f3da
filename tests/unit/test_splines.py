"""Natural splines in the effects formula: ``ns(year, df)`` and its average slope."""

from __future__ import annotations

import numpy as np
import pytest
from swedish_topics.analysis import effects as ef
from swedish_topics.analysis.splines import knots_for, natural_spline_basis
from swedish_topics.errors import ConfigError


def test_basis_is_linear_beyond_the_outer_knots() -> None:
    x = np.linspace(-5, 5, 201)
    basis, deriv, knots = natural_spline_basis(x, 4)
    outside = (x > knots[-1] + 1e-9) | (x < knots[0] - 1e-9)
    second = np.gradient(deriv, x, axis=0)
    assert np.allclose(second[outside][2:-2], 0.0, atol=1e-8)
    # the numerical derivative of the basis is the derivative returned
    assert np.allclose(np.gradient(basis, x, axis=0)[5:-5], deriv[5:-5], atol=1e-3)


def test_knots_of_four_years_are_the_years() -> None:
    years = np.repeat([2018.0, 2019.0, 2020.0, 2021.0], [5, 9, 2, 7])
    assert knots_for(years, 3).tolist() == [2018.0, 2019.0, 2020.0, 2021.0]
    basis, _d, _k = natural_spline_basis(years, 3)
    assert np.linalg.matrix_rank(np.column_stack([np.ones(len(years)), basis])) == 4


def test_formula_with_a_spline_and_its_errors() -> None:
    terms = ef.parse_formula("~ municipality + ns(year, df=3)")
    assert [t.label for t in terms] == ["municipality", "ns(year, 3)"]
    with pytest.raises(ConfigError, match="ns\\(column, df\\)"):
        ef.parse_formula("~ municipality:ns(year, 3)")
    with pytest.raises(ConfigError, match="at least 1 degree"):
        ef.parse_formula("~ ns(year, 0)")


def _curved(rng: np.random.Generator, per_year: int) -> tuple[np.ndarray, dict, float]:
    """A topic that rises fast and then levels off over ten years, its mean a natural
    spline with the knots ``ns(year, 4)`` will use (so the model holds); the truth's
    average slope is the mean of that curve's derivative over the documents."""
    years = np.repeat(np.arange(2010, 2020, dtype=float), per_year)
    basis, deriv, _knots = natural_spline_basis(years - years.mean(), 4)
    # the spline closest to a rise that levels off (exponential), so the model holds
    target = 0.05 + 0.25 * (1 - np.exp(-(years - 2010) / 2.0))
    design = np.column_stack([np.ones(len(years)), basis])
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    mean, beta = design @ coef, coef[1:]
    assert mean.min() > 0.02 and mean.max() < 0.6
    conc = 8.0
    theta1 = rng.beta(mean * conc, (1 - mean) * conc)
    theta = np.column_stack([theta1, 1 - theta1])
    munis = [f"m{i % 5}" for i in range(len(years))]
    cols = {"municipality": munis, "year": [str(int(y)) for y in years]}
    return theta, cols, float((deriv @ beta).mean())


def test_average_slope_of_a_spline_covers_a_curved_trend_the_line_misses() -> None:
    """Where the spline holds, its average slope covers the true mean derivative about
    95 % of the time; a straight line's slope estimates something else."""
    rng = np.random.default_rng(3)
    cover, line_bias, spline_bias = 0, [], []
    runs = 200
    for _ in range(runs):
        theta, cols, truth = _curved(rng, 40)
        for formula in ("~ municipality + ns(year, 4)", "~ municipality + year"):
            design = ef.build_design(ef.parse_formula(formula), cols, numeric=["year"])
            fit = ef.fit_effects(design, theta)
            row = next(
                r
                for r in ef.effect_rows(
                    design, fit, facet="year", ci_level=0.95, fdr=0.05, min_group_docs=2
                )
                if r["topic"] == 1
            )
            if formula.endswith("ns(year, 4)"):
                assert row["term"] == "ns(year, 4)" and row["year"] == "slope"
                cover += row["ci_low"] <= truth <= row["ci_high"]
                spline_bias.append(row["estimate"] - truth)
            else:
                line_bias.append(row["estimate"] - truth)
    assert 0.92 <= cover / runs <= 0.98
    assert abs(np.mean(spline_bias)) < 0.001
    assert abs(np.mean(line_bias)) > 3 * abs(np.mean(spline_bias))
