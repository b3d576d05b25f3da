"""Tests of swedish_topics.figures: every figure on small hand-made tables.

Each figure must write a non-empty PDF and a 300 dpi PNG, atomically (no temporary files
left), without any warning (a missing glyph for å, ä, ö or † is a warning), and label
every topic with its label, never a bare number.
"""

from __future__ import annotations

import json
import struct
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.text import Text
from swedish_topics import figures
from swedish_topics import io as sio
from swedish_topics.errors import UserError
from swedish_topics.figures import _style, composition  # noqa: F401  (patched, private helpers)

LABELS = [
    "e-tjänst, digital, invånare",
    "skola, elev, lärplattform",
    "äldreomsorg, välfärdsteknik, trygghetslarm",
    "bredband, fiber, utbyggnad",
    "öppna data, API",
]
MUNICIPALITIES = {"Lund": 1, "Umeå": 1, "Vellinge": 2, "Vännäs": 1}
YEARS = {"2018": 1, "2019": 2, "2021": 2}
PREV_COLS = ["topic", "{f}", "mean", "ci_low", "ci_high", "n_docs", "n_units"]
PREV_COLS += ["interval_basis", "flag", "note"]
DIFF_COLS = ["topic", "{f}", "group_mean", "rest_mean", "difference", "ci_low", "ci_high"]
DIFF_COLS += ["excludes_zero", "n_docs", "n_rest", "interval_basis", "flag", "note"]


# --------------------------------------------------------------------------- table makers
def label(k: int) -> str:
    base = LABELS[(k - 1) % len(LABELS)]
    return base if k <= len(LABELS) else f"{base} {k}"


def write_topics(path: Path, k: int) -> Path:
    rows = [
        {"topic": t, "label": label(t), "top_terms": label(t), "prevalence": 1 / k}
        for t in range(1, k + 1)
    ]
    sio.write_csv(path, rows, ["topic", "label", "top_terms", "prevalence", "coherence_npmi"])
    return path


def write_topic_terms(path: Path, k: int, n: int = 12) -> Path:
    words = ["kommun", "välfärd", "ärende", "öppenhet", "e-tjänst", "skola", "fiber", "å"]
    rows = [
        {"topic": t, "rank": r, "term": f"{words[(t + r) % len(words)]}_{r}", "weight": 0.2 / r}
        for t in range(1, k + 1)
        for r in range(1, n + 1)
    ]
    sio.write_csv(path, rows, ["topic", "rank", "term", "weight", "frex", "relevance"])
    return path


def _flag(n_docs: int, no_interval: bool) -> tuple[str, str]:
    if n_docs == 1:
        return (
            ("single_doc;no_interval", "none")
            if no_interval
            else (
                "single_doc",
                "units of one document",
            )
        )
    return "few_docs", "documents"


def write_prevalence(path: Path, facet: str, groups: dict[str, int], k: int) -> Path:
    """Prevalence table like analysis writes it; the first single-doc group has no interval."""
    rng = np.random.default_rng(1)
    no_ci_group = next(g for g, n in groups.items() if n == 1)
    rows = []
    for t in range(1, k + 1):
        for group, n_docs in groups.items():
            mean = float(rng.uniform(0.02, 0.6))
            flag, basis = _flag(n_docs, group == no_ci_group)
            lo, hi = (mean - 0.05, mean + 0.07) if basis != "none" else (None, None)
            rows.append(
                {"topic": t, facet: group, "mean": mean, "ci_low": lo, "ci_high": hi,
                 "n_docs": n_docs, "n_units": 3 * n_docs, "interval_basis": basis,
                 "flag": flag, "note": "hand-made"}
            )  # fmt: skip
    sio.write_csv(path, rows, [c.format(f=facet) for c in PREV_COLS])
    return path


def write_differences(path: Path, facet: str, groups: dict[str, int], k: int) -> Path:
    rng = np.random.default_rng(2)
    no_ci_group = next(g for g, n in groups.items() if n == 1)
    total = sum(groups.values())
    rows = []
    for t in range(1, k + 1):
        for group, n_docs in groups.items():
            diff = float(rng.uniform(-0.3, 0.3))
            flag, basis = _flag(n_docs, group == no_ci_group)
            lo, hi = (diff - 0.1, diff + 0.1) if basis != "none" else (None, None)
            rows.append(
                {"topic": t, facet: group, "group_mean": 0.3, "rest_mean": 0.3 - diff,
                 "difference": diff, "ci_low": lo, "ci_high": hi,
                 "excludes_zero": lo is not None and (lo > 0 or hi < 0), "n_docs": n_docs,
                 "n_rest": total - n_docs, "interval_basis": basis, "flag": flag, "note": ""}
            )  # fmt: skip
    sio.write_csv(path, rows, [c.format(f=facet) for c in DIFF_COLS])
    return path


def write_doc_topics(path: Path, k: int, n_docs: int = 5) -> Path:
    rng = np.random.default_rng(3)
    rows = [
        {"doc_id": f"doc_{d:03d}", "topic": t + 1, "weight": float(w)}
        for d in range(n_docs)
        for t, w in enumerate(rng.dirichlet(np.ones(k)))
    ]
    sio.write_csv(path, rows, ["doc_id", "topic", "weight"])
    return path


def write_selection(folder: Path, ks: list[int], seeds: list[int]) -> tuple[Path, Path, Path]:
    rng = np.random.default_rng(4)
    metrics = [
        {"k": k, "seed": s, "coherence_npmi": rng.normal(0.05, 0.01),
         "coherence_cv": rng.normal(0.4, 0.02), "coherence_umass": rng.normal(-2, 0.1),
         "perplexity": 900 + 10 * k, "diversity": 0.9 - 0.02 * k, "exclusivity": 0.6,
         "train_seconds": 1.5 * k}
        for k in ks
        for s in seeds
    ]  # fmt: skip
    cols = ["k", "seed", "coherence_npmi", "coherence_cv", "coherence_umass", "perplexity"]
    cols += ["diversity", "exclusivity", "train_seconds"]
    sio.write_csv(folder / "metrics.csv", metrics, cols)
    one_seed = len(seeds) < 2
    stability = [
        {"k": k, "stability_mean": None if one_seed else 0.8 - 0.1 * i,
         "stability_min": None if one_seed else 0.7 - 0.1 * i,
         "stability_max": None if one_seed else 0.85 - 0.1 * i,
         "n_pairs": 0 if one_seed else len(seeds) * (len(seeds) - 1) // 2}
        for i, k in enumerate(ks)
    ]  # fmt: skip
    sio.write_csv(
        folder / "stability.csv",
        stability,
        ["k", "stability_mean", "stability_min", "stability_max", "n_pairs"],
    )
    choice = {
        "k": ks[0],
        "seed": seeds[0],
        "metric": "coherence_npmi",
        "threshold": 0.5,
        "reason": f"K = {ks[0]} is stable (≥ 0.5) and has the highest NPMI; för två seeds.",
    }
    sio.atomic_write_json(folder / "choice.json", choice)
    return folder / "metrics.csv", folder / "stability.csv", folder / "choice.json"


# --------------------------------------------------------------------------- checks
def png_info(path: Path) -> tuple[int, int, float]:
    """Width, height and dpi of a PNG, read from its IHDR and pHYs chunks."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    pos = data.find(b"pHYs")
    assert pos > 0, "PNG has no resolution (pHYs) chunk"
    ppm_x, _ppm_y, unit = struct.unpack(">IIB", data[pos + 4 : pos + 13])
    assert unit == 1  # metre
    return width, height, ppm_x * 0.0254


def assert_written(paths: list[Path], stem: Path) -> None:
    """A PDF and a PNG at figures._style.DPI (300, or lowered by ``fast``), no temporary files."""
    assert paths == [stem.with_name(stem.name + ".pdf"), stem.with_name(stem.name + ".png")]
    pdf, png = paths
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000
    width, height, dpi = png_info(png)
    assert dpi == pytest.approx(figures._style.DPI, abs=0.5)
    assert width > figures._style.DPI and height > figures._style.DPI
    leftovers = [p.name for p in stem.parent.iterdir() if ".tmp" in p.name]
    assert leftovers == []


def test_figures_are_saved_at_300_dpi() -> None:
    assert figures.DPI == figures._style.DPI == 300


@pytest.fixture
def fast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large figures (K > 5 or marked by name) render at 60 dpi: 300 dpi is checked at K=2."""
    params = getattr(getattr(request.node, "callspec", None), "params", {})
    if params.get("k", 25) > 5:
        monkeypatch.setattr(figures._style, "DPI", 60)


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Figures passed to figures._style._save, to read their texts."""
    figs: list[Any] = []
    original = figures._style._save

    def spy(fig: Any, out_stem: Any, **kwargs: Any) -> list[Path]:
        figs.append(fig)
        return original(fig, out_stem, **kwargs)

    monkeypatch.setattr(figures._style, "_save", spy)
    return figs


def texts(fig: Any) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def flat(fig: Any) -> str:
    """All texts of ``fig`` with whitespace (line breaks, no-break spaces) collapsed."""
    return " ".join(" ".join(texts(fig)).split())


def run_clean(func: Callable[..., list[Path]], *args: Any, **kwargs: Any) -> list[Path]:
    """Call ``func`` and fail on any warning (missing glyphs, empty means, ...)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = func(*args, **kwargs)
    assert [str(w.message) for w in caught] == []
    return paths


# --------------------------------------------------------------------------- each figure
@pytest.mark.parametrize("k", [2, 25])
def test_top_terms(tmp_path: Path, k: int, captured: list, fast: None) -> None:
    stem = tmp_path / "top_terms"
    paths = run_clean(
        figures.plot_top_terms,
        write_topic_terms(tmp_path / "topic_terms.csv", k),
        write_topics(tmp_path / "topics.csv", k),
        stem,
        n=10,
    )
    assert_written(paths, stem)
    shown = texts(captured[0])
    assert any("äldreomsorg" in t for t in shown) or k < 3
    assert any("1. e-tjänst" in t and "prevalence" in t for t in shown)
    assert sum("prevalence" in t for t in shown) == k


@pytest.mark.parametrize(("facet", "groups", "k"), [("municipality", MUNICIPALITIES, 2),
                                                     ("municipality", MUNICIPALITIES, 25),
                                                     ("year", YEARS, 4)])  # fmt: skip
def test_prevalence_heatmap(
    tmp_path: Path, facet: str, groups: dict[str, int], k: int, captured: list, fast: None
) -> None:
    stem = tmp_path / f"prevalence_by_{facet}"
    paths = run_clean(
        figures.plot_prevalence_heatmap,
        write_prevalence(tmp_path / f"prevalence_by_{facet}.csv", facet, groups, k),
        write_topics(tmp_path / "topics.csv", k),
        facet,
        stem,
    )
    assert_written(paths, stem)
    fig = captured[0]
    ax = fig.axes[0]
    ylabels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ylabels) == k and all(". " in y and len(y) > 4 for y in ylabels)
    xlabels = [t.get_text() for t in ax.get_xticklabels()]
    first_single = next(g for g, n in groups.items() if n == 1)
    assert any(x.startswith(first_single) and "(n=1)†" in x for x in xlabels)
    shown = texts(fig)
    # Cells without an interval say so, never show a zero-width "[x, x]".
    assert sum(t.endswith("\n[no interval]") for t in shown) == k
    assert "† One document only" in flat(fig)


def test_prevalence_heatmap_of_large_grid_scales(
    tmp_path: Path, captured: list, fast: None
) -> None:
    groups = {f"Län {i:02d} Västra Götaland": 1 + i % 4 for i in range(21)}
    run_clean(
        figures.plot_prevalence_heatmap,
        write_prevalence(tmp_path / "p.csv", "county", groups, 6),
        write_topics(tmp_path / "topics.csv", 6),
        "county",
        tmp_path / "heat",
    )
    width, _ = captured[0].get_size_inches()
    assert width > 15  # cells keep their size: the figure grows with the groups


def test_heatmap_colours_each_cell_by_its_group_and_topic(tmp_path: Path, captured: list) -> None:
    prev = write_prevalence(tmp_path / "p.csv", "municipality", MUNICIPALITIES, 3)
    figures.plot_prevalence_heatmap(prev, write_topics(tmp_path / "t.csv", 3), "municipality",
                                    tmp_path / "heat")  # fmt: skip
    ax = captured[0].axes[0]
    (mesh,) = ax.collections
    colours = np.asarray(mesh.get_array()).reshape(3, len(MUNICIPALITIES))
    order = sorted(MUNICIPALITIES)
    for row in sio.read_csv(prev):
        topic, group = int(row["topic"]), row["municipality"]
        assert colours[topic - 1, order.index(group)] == pytest.approx(100 * float(row["mean"]))
    assert ax.get_ylim() == (2.5, -0.5)  # topic 1 on top, as in the tables


def test_heatmap_shows_the_pooled_estimates_from_enough_groups(
    tmp_path: Path, captured: list
) -> None:
    """A facet with at least analysis.pool_figures_from_groups groups: the cells are the
    pooled means (and the title says so); with fewer groups, the raw means."""
    groups = {f"K{i:02d}": 3 + i for i in range(25)} | {"Ensam": 1}
    prev = write_prevalence(tmp_path / "p.csv", "municipality", groups, 2)
    rows = sio.read_csv(prev)
    for r in rows:  # pooled: halfway to 0.3
        r["pooled_mean"] = 0.15 + float(r["mean"]) / 2
        r["pooled_low"], r["pooled_high"] = r["pooled_mean"] - 0.02, r["pooled_mean"] + 0.02
    sio.write_csv(prev, rows, list(rows[0]))
    rows = sio.read_csv(prev)  # as written (rounded)
    topics = write_topics(tmp_path / "t.csv", 2)
    for pool_from, column in ((20, "pooled_mean"), (30, "mean"), (None, "mean")):
        captured.clear()
        figures.plot_prevalence_heatmap(
            prev, topics, "municipality", tmp_path / "heat", pool_from_groups=pool_from
        )
        ax = captured[0].axes[0]
        (mesh,) = ax.collections
        colours = np.asarray(mesh.get_array()).reshape(2, len(groups))
        got = {(int(r["topic"]), r["municipality"]): float(r[column]) for r in rows}
        cols = [t.get_text().split(" (n=")[0] for t in ax.get_xticklabels()]
        for (topic, group), value in got.items():
            assert colours[topic - 1, cols.index(group)] == pytest.approx(100 * value)
        assert ("pooled" in ax.get_title(loc="left")) == (column == "pooled_mean")
        if column == "pooled_mean":
            # Riksdag: raw means outside the pooled interval are marked and counted
            outside = {
                (int(r["topic"]), r["municipality"])
                for r in rows
                if not float(r["pooled_low"]) <= float(r["mean"]) <= float(r["pooled_high"])
            }
            assert outside
            marked = [t.get_text() for t in ax.texts if t.get_text().split("\n")[0].endswith("*")]
            assert len(marked) == len(outside)
            note = flat(captured[0])
            assert f"({len(outside)} of {len(rows)} cells)" in note
            assert "the differences table uses them" in note


def test_tables_say_where_the_pooled_heatmap_and_the_raw_differences_differ() -> None:
    from swedish_topics.analysis.reporting import pooled_disagreement

    rows = [
        {"topic": 1, "county": f"L{i}", "mean": m, "pooled_mean": 0.3, "pooled_low": 0.25,
         "pooled_high": 0.35}
        for i, m in enumerate([0.3, 0.5, 0.1] * 7)
    ]  # fmt: skip
    note = pooled_disagreement(rows, "county", {"pool_figures_from_groups": 20})
    assert "14 of 21 raw means lie outside their pooled interval" in note
    assert "use the raw means" in note
    assert pooled_disagreement(rows, "county", {"pool_figures_from_groups": 30}) == ""
    assert pooled_disagreement(rows, "county", {"pool_figures_from_groups": None}) == ""


def _many_groups(n: int) -> dict[str, int]:
    """``n`` municipalities with distinct sizes: Kommun 000 has the most documents."""
    return {f"Kommun {i:03d}": n + 5 - i for i in range(n)} | {"Ensam": 1}


@pytest.mark.parametrize("kind", ["heatmap", "differences"])
def test_figures_of_many_groups_show_the_largest_and_say_so(
    tmp_path: Path, kind: str, captured: list, fast: None
) -> None:
    groups = _many_groups(290)
    plot, write = {
        "heatmap": (figures.plot_prevalence_heatmap, write_prevalence),
        "differences": (figures.plot_differences, write_differences),
    }[kind]
    table = write(tmp_path / "by_municipality.csv", "municipality", groups, 3)
    stem = tmp_path / kind
    paths = run_clean(
        plot, table, write_topics(tmp_path / "t.csv", 3), "municipality", stem, max_groups=12
    )
    assert_written(paths, stem)
    fig = captured[0]
    if kind == "heatmap":
        labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    else:
        labels = [ax.get_title(loc="left") for ax in fig.axes]
    assert len(labels) == 12
    assert [lab.split(" (n=")[0] for lab in labels] == [f"Kommun {i:03d}" for i in range(12)]
    docs_shown = sum(groups[f"Kommun {i:03d}"] for i in range(12))
    note = flat(fig)
    assert (
        f"Shown: the 12 of 291 municipality groups with the most documents ({docs_shown:,} of "
        f"{sum(groups.values()):,} documents; analysis.max_plot_groups = 12); "
        "by_municipality.csv has every group." in note
    )
    # The hidden single-document group's flag is not explained in a figure without it.
    assert "One document only" not in note and "one document" not in note


def test_figures_of_few_groups_show_them_all_without_a_note(tmp_path: Path, captured: list) -> None:
    figures.plot_prevalence_heatmap(
        write_prevalence(tmp_path / "p.csv", "municipality", MUNICIPALITIES, 2),
        write_topics(tmp_path / "t.csv", 2),
        "municipality",
        tmp_path / "heat",
        max_groups=len(MUNICIPALITIES),
    )
    assert len(captured[0].axes[0].get_xticklabels()) == len(MUNICIPALITIES)
    assert "Shown:" not in flat(captured[0])


@pytest.mark.parametrize(
    ("size", "dpi"),
    [((7.0, 5.0), 300), ((20.7, 18.2), 300), ((36.0, 43.0), 196), ((240.0, 18.0), 117)],
)
def test_png_resolution_stays_under_the_pixel_limit(size: tuple[float, float], dpi: int) -> None:
    assert figures.png_resolution(*size) == dpi
    width, height = size
    assert width * height * dpi**2 <= figures._style.MAX_PNG_PIXELS


def test_huge_figure_is_written_at_lower_resolution_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(figures._style, "MAX_PNG_PIXELS", 2_000_000)
    stem = tmp_path / "heat"
    with caplog.at_level("WARNING", logger="swedish_topics.figures"):
        _pdf, png = figures.plot_prevalence_heatmap(
            write_prevalence(tmp_path / "p.csv", "municipality", MUNICIPALITIES, 6),
            write_topics(tmp_path / "t.csv", 6),
            "municipality",
            stem,
        )
    width, height, dpi = png_info(png)
    assert width * height <= 2_000_000 and dpi < figures._style.DPI
    assert f"written at {round(dpi)} dpi instead of 300" in caplog.text


@pytest.mark.parametrize("k", [2, 25])
def test_prevalence_trend(tmp_path: Path, k: int, captured: list, fast: None) -> None:
    stem = tmp_path / "prevalence_over_year"
    paths = run_clean(
        figures.plot_prevalence_trend,
        write_prevalence(tmp_path / "prevalence_by_year.csv", "year", YEARS, k),
        write_topics(tmp_path / "topics.csv", k),
        "year",
        stem,
    )
    assert_written(paths, stem)
    fig = captured[0]
    first = fig.axes[0]
    assert first.get_title(loc="left").startswith("1. e-tjänst")
    ticks = [t.get_text() for t in fig.axes[-1].get_xticklabels()]
    assert ticks == ["2018\nn=1†", "2019\nn=2‡", "2021\nn=2‡"]  # integers, never 2018.5


def test_prevalence_trend_over_thirty_years(tmp_path: Path, captured: list, fast: None) -> None:
    years = {str(y): 1 + y % 3 for y in range(1994, 2024)}
    run_clean(
        figures.plot_prevalence_trend,
        write_prevalence(tmp_path / "p.csv", "year", years, 3),
        write_topics(tmp_path / "topics.csv", 3),
        "year",
        tmp_path / "trend",
    )
    ax = captured[0].axes[0]
    ticks = [float(t) for t in ax.get_xticks()]
    assert ticks and all(t == int(t) for t in ticks)


def test_prevalence_band_never_joins_two_kinds_of_interval(tmp_path: Path, captured: list) -> None:
    """2018–2019: intervals from documents; 2020–2021: single documents' bootstrap over
    their units. Each kind gets its own band; none spans 2019 to 2020."""
    years = {"2017": 1, "2018": 3, "2019": 4, "2020": 1, "2021": 1}
    run_clean(
        figures.plot_prevalence_trend,
        write_prevalence(tmp_path / "p.csv", "year", years, 2),
        write_topics(tmp_path / "topics.csv", 2),
        "year",
        tmp_path / "trend",
    )
    from matplotlib.collections import PolyCollection

    spans = [
        (float(v[:, 0].min()), float(v[:, 0].max()))
        for c in captured[0].axes[0].collections
        if isinstance(c, PolyCollection)
        for v in (p.vertices for p in c.get_paths())
        if len(v)
    ]
    assert (2018.0, 2019.0) in spans and (2020.0, 2021.0) in spans
    assert not any(lo <= 2019 and hi >= 2020 for lo, hi in spans)


def test_prevalence_trend_refuses_non_numeric_facet(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"line 2, column 'municipality'.*numeric_facets"):
        figures.plot_prevalence_trend(
            write_prevalence(tmp_path / "p.csv", "municipality", MUNICIPALITIES, 2),
            write_topics(tmp_path / "topics.csv", 2),
            "municipality",
            tmp_path / "trend",
        )


@pytest.mark.parametrize("k", [2, 25])
def test_differences(tmp_path: Path, k: int, captured: list, fast: None) -> None:
    stem = tmp_path / "differences_by_municipality"
    paths = run_clean(
        figures.plot_differences,
        write_differences(tmp_path / "d.csv", "municipality", MUNICIPALITIES, k),
        write_topics(tmp_path / "topics.csv", k),
        "municipality",
        stem,
    )
    assert_written(paths, stem)
    fig = captured[0]
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles[0] == "Lund (n=1)†\nvs rest (n=4)\n† one document"
    assert "Vellinge (n=2)‡" in titles[2] and "few documents" in titles[2]
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == k and labels[0].startswith("1. e-tjänst")
    # Zero line in every panel.
    assert all(any(list(line.get_xdata()) == [0, 0] for line in ax.lines) for ax in fig.axes)


def test_differences_draw_each_topics_interval_and_dot_from_the_table(
    tmp_path: Path, captured: list
) -> None:
    table = write_differences(tmp_path / "d.csv", "municipality", MUNICIPALITIES, 3)
    figures.plot_differences(table, write_topics(tmp_path / "t.csv", 3), "municipality",
                             tmp_path / "diff")  # fmt: skip
    panels = dict(zip(sorted(MUNICIPALITIES), captured[0].axes, strict=True))
    for row in sio.read_csv(table):
        ax, y = panels[row["municipality"]], int(row["topic"]) - 1
        bars = [c for c in ax.collections if hasattr(c, "get_segments")]
        dots = [c for c in ax.collections if not hasattr(c, "get_segments")]
        points = np.vstack([c.get_offsets() for c in dots])
        diff = 100 * float(row["difference"])
        assert any(np.allclose(p, (diff, y)) for p in points)
        segments = [s for c in bars for s in c.get_segments() if s[0][1] == y]
        if row["ci_low"]:
            (segment,) = segments
            low, high = 100 * float(row["ci_low"]), 100 * float(row["ci_high"])
            assert np.allclose(segment, [(low, y), (high, y)])
        else:
            assert segments == []  # no interval: a cross, no bar
    # Groups of one or few documents: intervals that exclude 0 are dashed, not solid.
    vellinge = next(c for c in panels["Vellinge"].collections if hasattr(c, "get_segments"))
    excludes = [r["excludes_zero"] == "true" for r in sio.read_csv(table)
                if r["municipality"] == "Vellinge"]  # fmt: skip
    dashed = [pattern is not None for _offset, pattern in vellinge.get_linestyles()]
    assert any(excludes) and not all(excludes)
    assert dashed == excludes


@pytest.mark.parametrize(("k", "n_docs", "max_docs", "shown"), [(2, 5, 60, 5), (12, 70, 40, 40)])
def test_doc_composition(
    tmp_path: Path, k: int, n_docs: int, max_docs: int, shown: int, captured: list, fast: None
) -> None:
    stem = tmp_path / "doc_composition"
    labels = {f"doc_{d:03d}": f"Vännäs {2018 + d}" for d in range(n_docs)}
    paths = run_clean(
        figures.plot_doc_composition,
        write_doc_topics(tmp_path / "doc_topics.csv", k, n_docs),
        write_topics(tmp_path / "topics.csv", k),
        stem,
        doc_labels=labels,
        max_docs=max_docs,
    )
    assert_written(paths, stem)
    fig = captured[0]
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == shown and all(r.startswith("Vännäs") for r in rows)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == k and legend[0].startswith("1. e-tjänst")
    title = ax.get_title(loc="left")
    assert (f"{shown} of {n_docs}" in title) == (shown < n_docs)


@pytest.mark.parametrize(
    ("ks", "seeds", "k"),
    [([3, 4, 5, 6], [1, 2, 3], 25), ([4], [1], 2)],  # k: only the figure size (see fast)
)
def test_model_selection(
    tmp_path: Path, ks: list[int], seeds: list[int], k: int, captured: list, fast: None
) -> None:
    stem = tmp_path / "model_selection"
    metrics, stability, choice = write_selection(tmp_path, ks, seeds)
    data = json.loads(choice.read_text(encoding="utf-8"))
    data["threshold"] = 0.75
    sio.atomic_write_json(choice, data)
    paths = run_clean(figures.plot_model_selection, metrics, stability, choice, stem)
    assert_written(paths, stem)
    fig = captured[0]
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert len(titles) == len(figures.SELECTION_PANELS)
    assert all("better" in t or "cheaper" in t for t in titles)
    assert "selection metric" in titles[0]
    assert "Why this model: K = " in flat(fig)
    # The chosen K is a band in every panel; the threshold of choice.json is drawn.
    assert all(ax.patches for ax in fig.axes)
    stab_ax = fig.axes[6]
    assert stab_ax.get_title(loc="left").startswith("Stability")
    has_line = any(list(line.get_ydata()) == [0.75, 0.75] for line in stab_ax.lines)
    assert has_line == (len(seeds) > 1)


# --------------------------------------------------------------------------- shared behaviour
def test_stem_may_carry_png_suffix(tmp_path: Path) -> None:
    paths = figures.plot_top_terms(
        write_topic_terms(tmp_path / "tt.csv", 2),
        write_topics(tmp_path / "topics.csv", 2),
        str(tmp_path / "figs" / "top_terms.png"),
    )
    assert [p.name for p in paths] == ["top_terms.pdf", "top_terms.png"]


def test_same_input_gives_same_bytes(tmp_path: Path, fast: None) -> None:
    args = (write_doc_topics(tmp_path / "dt.csv", 3), write_topics(tmp_path / "t.csv", 3))
    first = [p.read_bytes() for p in figures.plot_doc_composition(*args, tmp_path / "a")]
    second = [p.read_bytes() for p in figures.plot_doc_composition(*args, tmp_path / "b")]
    assert first == second


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("topic,label\n", r"t\.csv: the table has a header but no data rows"),
        ("topic,name\n1,x\n", r"t\.csv, line 1 \(header\): the column\(s\) label"),
        ("topic,label\nett,x\n", r"t\.csv, line 2, column 'topic': 'ett' is not a number"),
        ("topic,label\n1.5,x\n", r"t\.csv, line 2, column 'topic': '1\.5' is not a whole"),
    ],
)
def test_bad_topics_table_is_a_user_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "t.csv").write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        figures.plot_top_terms(write_topic_terms(tmp_path / "tt.csv", 2), tmp_path / "t.csv",
                               tmp_path / "out")  # fmt: skip
    assert not (tmp_path / "out.png").exists()


def test_missing_table_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"nope\.csv: the table needed .* does not exist"):
        figures.plot_doc_composition(tmp_path / "nope.csv", tmp_path / "t.csv", tmp_path / "o")


# --------------------------------------------------------------------------- helpers
@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("skola", 10, "skola"),
        ("äldreomsorg, välfärdsteknik, trygghetslarm", 30, "äldreomsorg, välfärdsteknik…"),
        ("ettmycketlångtordutanmellanrum", 10, "ettmycket…"),
        ("  flera   mellanslag ", 20, "flera mellanslag"),
    ],
)
def test_truncate(text: str, width: int, expected: str) -> None:
    assert figures._style._truncate(text, width) == expected
    assert len(figures._style._truncate(text, width)) <= width


@pytest.mark.parametrize(
    ("topics", "topic", "expected"),
    [
        ({3: figures.TopicInfo(3, "Välfärd", 0.1)}, 3, "3. Välfärd"),
        ({3: figures.TopicInfo(3, "", 0.1)}, 3, "3. Topic 3"),
        ({}, 7, "7. Topic 7"),
        ({2: figures.TopicInfo(2, "2: ny · teknik", 0.1)}, 2, "2: ny · teknik"),
        ({2: figures.TopicInfo(2, "Topic 2 (skola)", 0.1)}, 2, "Topic 2 (skola)"),
        ({2: figures.TopicInfo(2, "20 år av e-tjänster", 0.1)}, 2, "2. 20 år av e-tjänster"),
    ],
)
def test_topic_name_never_a_bare_number(topics: dict, topic: int, expected: str) -> None:
    assert figures.topic_name(topic, topics) == expected


def test_topic_styles_tell_forty_topics_apart() -> None:
    styles = [figures.topic_style(k) for k in range(1, 41)]
    assert len(set(styles)) == 40
    assert {c for c, _ in styles} <= set(figures.OKABE_ITO)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        ("single_doc", ["single_doc"]),
        ("single_doc;no_interval", ["single_doc", "no_interval"]),
    ],
)
def test_split_flags(value: str, expected: list[str]) -> None:
    assert figures.split_flags(value) == expected


@pytest.mark.parametrize(
    ("groups", "expected"),
    [(["2021", "2018", "2019"], ["2018", "2019", "2021"]),
     (["Umeå", "Lund", "Umeå"], ["Umeå", "Lund"])],
)  # fmt: skip
def test_group_order(groups: list[str], expected: list[str]) -> None:
    assert figures._style._group_order(groups) == expected


@pytest.mark.parametrize(("n", "expected"), [(1, (1, 1)), (3, (1, 3)), (4, (2, 2)),
                                             (21, (4, 6)), (40, (10, 4))])  # fmt: skip
def test_grid(n: int, expected: tuple[int, int]) -> None:
    max_cols = 6 if n == 21 else 4
    assert figures._style._grid(n, max_cols) == expected


def test_order_documents_groups_by_dominant_topic_and_subsamples_evenly() -> None:
    shares = np.array([[0.1, 0.9], [0.8, 0.2], [0.6, 0.4], [0.3, 0.7]])
    ids = ["a", "b", "c", "d"]
    assert figures.order_documents(shares, ids) == [1, 2, 0, 3]
    picked = figures.order_documents(np.tile(shares, (25, 1)), [str(i) for i in range(100)],
                                     max_docs=10)  # fmt: skip
    assert len(picked) == 10 and len(set(picked)) == 10


def test_doc_weights_are_read_row_by_row_into_a_matrix(tmp_path: Path) -> None:
    path = tmp_path / "doc_topics.csv"
    rows = [
        {"doc_id": f"d{d}", "topic": t, "weight": (d + t) / 100}
        for d in range(1500)  # more documents and topics than the first buffer holds
        for t in range(1, 11)
    ]
    rows += [
        {"doc_id": "d0", "topic": 11, "weight": 0.5},  # a topic only one document has
        {"doc_id": "d1", "topic": 2, "weight": 0.25},  # a repeated row: the last counts
        {"doc_id": "d2", "topic": 3, "weight": "nan"},  # not finite: 0
    ]
    sio.write_csv(path, rows, ["doc_id", "topic", "weight"])
    doc_ids, weights, columns = figures.composition._read_doc_weights(path)
    assert doc_ids == [f"d{d}" for d in range(1500)]
    assert columns == {t: t - 1 for t in range(1, 12)}
    assert weights.shape == (1500, 11)
    assert weights[5, columns[4]] == pytest.approx(0.09)
    assert weights[0, columns[11]] == 0.5 and weights[1, columns[11]] == 0.0
    assert weights[1, columns[2]] == 0.25 and weights[2, columns[3]] == 0.0
    empty = tmp_path / "empty.csv"
    sio.write_csv(empty, [], ["doc_id", "topic", "weight"])
    with pytest.raises(UserError, match="no data rows"):
        figures.composition._read_doc_weights(empty)


# ------------------------------------------------------------------ effects: honest pages
EFFECT_COLS = ["topic", "{f}", "term", "estimate", "ci_low", "ci_high", "p_value", "q_value"]
EFFECT_COLS += ["significant", "n_docs", "flag", "note"]


def write_effects(path: Path, facet: str, groups: list[str], k: int, *, fitted: bool) -> Path:
    """An effects table: estimates in [-0.2, 0.2], every seventh one significant; or,
    unfitted, the shipped corpus's (no estimate, the model's note)."""
    rng = np.random.default_rng(5)
    rows = []
    for t in range(1, k + 1):
        for i, group in enumerate(groups):
            est = float(rng.uniform(-0.2, 0.2))
            sig = (t * len(groups) + i) % 7 == 0
            half = 0.5 * abs(est) if sig else abs(est) + 0.05
            rows.append(
                {"topic": t, facet: group, "term": facet, "n_docs": 30}
                | (
                    {"estimate": est, "ci_low": est - half, "ci_high": est + half,
                     "p_value": 0.001 if sig else 0.5, "q_value": 0.01 if sig else 0.9,
                     "significant": sig, "flag": "", "note": ""}
                    if fitted
                    else {"flag": "no_interval", "note": "not estimated: the model has more "
                          "coefficients than documents"}
                )
            )  # fmt: skip
    sio.write_csv(path, rows, [c.format(f=facet) for c in EFFECT_COLS])
    return path


def test_effects_with_nothing_estimated_is_one_small_notice(tmp_path: Path, captured: list) -> None:
    """The shipped corpus: five documents, no effect estimable. No empty panels on a 0–1
    axis called percentage points: one small image saying why, marked as a notice."""
    groups = ["Lund", "Umeå", "Vellinge", "Vännäs"]
    table = write_effects(tmp_path / "e.csv", "municipality", groups, 4, fitted=False)
    stem = tmp_path / "effects_by_municipality"
    paths = figures.plot_effects(table, write_topics(tmp_path / "t.csv", 4), "municipality", stem)
    assert_written(paths, stem)
    assert captured == []  # not a figure of panels
    width, height, _dpi = png_info(stem.with_suffix(".png"))
    assert width <= 2000 and height < width / 2
    assert figures.is_notice(stem.with_suffix(".png"))
    from PIL import Image

    with Image.open(stem.with_suffix(".png")) as image:
        assert "more coefficients than documents" not in image.info.get("Description", "")
    assert not figures.is_notice(
        figures.plot_effects(
            write_effects(tmp_path / "f.csv", "municipality", groups, 4, fitted=True),
            write_topics(tmp_path / "t.csv", 4),
            "municipality",
            tmp_path / "fitted",
        )[1]
    )


def test_effects_of_840_estimates_show_the_significant_ones_and_say_how_many_are_left(
    tmp_path: Path, captured: list, fast: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Riksdag: K = 40, 21 counties. The page draws the topics and groups with the most
    significant estimates, in topic order, in percentage points, with its title whole."""
    monkeypatch.setattr(figures._style, "DPI", 60)
    groups = [f"Län {i:02d}" for i in range(21)]
    table = write_effects(tmp_path / "e.csv", "county", groups, 40, fitted=True)
    paths = figures.plot_effects(
        table, write_topics(tmp_path / "t.csv", 40), "county", tmp_path / "eff", max_groups=40
    )
    fig = captured[0]
    assert len(fig.axes) <= 12
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert 1 < len(labels) <= 20
    ids = [int(lab.split(".")[0]) for lab in labels]
    assert ids == sorted(ids)
    rows = sio.read_csv(table)
    n_sig = sum(r["significant"] == "true" for r in rows)
    note = flat(fig)
    assert "of 840 estimates drawn" in note and f"of the {n_sig} significant ones" in note
    assert "e.csv has every estimate" in note
    # percentage points: estimates up to 0.2 are drawn up to 20
    xmin, xmax = fig.axes[0].get_xlim()
    assert max(abs(xmin), abs(xmax)) > 5
    # the title is not cut off at the right edge
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    title = fig.subfigs[0]._suptitle
    assert title.get_window_extent(renderer).x1 <= fig.bbox.width
    assert_written(paths, tmp_path / "eff")


def _sensitivity_tables(tmp_path: Path, kept: list[str]) -> tuple[Path, Path]:
    cols = ["variant", "change", "vocabulary", "shared_vocabulary", "mean_similarity"]
    cols += ["main_seed_stability", "n_effects", "share_kept_sign", "share_kept_significance"]
    cols += ["significance_basis"]
    rows = [
        {"variant": f"v{i}", "change": "preprocess.vocabulary.no_below=5", "vocabulary": 40,
         "shared_vocabulary": 40, "mean_similarity": 0.6, "main_seed_stability": 0.65,
         "n_effects": 3 if share else 0, "share_kept_sign": share,
         "share_kept_significance": share, "significance_basis": "q-value, column significant"}
        for i, share in enumerate(kept)
    ]  # fmt: skip
    summary = tmp_path / "summary.csv"
    sio.write_csv(summary, rows, cols)
    matches = tmp_path / "matches.csv"
    sio.write_csv(
        matches,
        [
            {"variant": r["variant"], "topic": t, "similarity": 0.5 + t / 20}
            for r in rows
            for t in (1, 2)
        ],
        ["variant", "topic", "similarity"],
    )
    return summary, matches


@pytest.mark.parametrize("kept", [["", ""], ["0.5", ""]])
def test_sensitivity_has_a_title_and_no_empty_panel(
    tmp_path: Path, kept: list[str], captured: list
) -> None:
    """The shipped corpus: no significant effect, so no effects panel of empty rows (a
    sentence says why); with one, the panel is drawn. Either way the figure has a title."""
    from swedish_topics.figures.validation import plot_sensitivity

    summary, matches = _sensitivity_tables(tmp_path, kept)
    paths = run_clean(plot_sensitivity, summary, matches, tmp_path / "sensitivity")
    assert_written(paths, tmp_path / "sensitivity")
    fig = captured[0]
    assert fig.subfigs[0]._suptitle.get_text().startswith("Sensitivity to preprocessing")
    if kept[0]:
        assert len(fig.axes) == 2
    else:
        assert len(fig.axes) == 1
        assert "so there is no effect to compare" in flat(fig)


def test_documents_are_named_by_title_or_first_words_not_hash_ids(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "004_3743fa9254c4b3aa.txt").write_text(
        "Det finns nog inte en enda kommun i Sverige", encoding="utf-8"
    )
    rows = [
        {"doc_id": "000_d05961ad828120c4", "title": "”I kommunen finns frihet, självständighet "
         "och kraft”", "municipality": "Lund", "year": "2018"},
        {"doc_id": "004_3743fa9254c4b3aa", "title": "", "municipality": "Vellinge",
         "year": "2018"},
        {"doc_id": "a1", "title": "Samma", "municipality": "Umeå", "year": "2019"},
        {"doc_id": "a2", "title": "Samma", "municipality": "Umeå", "year": "2019"},
    ]  # fmt: skip
    labels = figures.readable_doc_labels(rows, ["municipality", "year"], corpus_dir=tmp_path)
    assert labels["000_d05961ad828120c4"] == "”I kommunen finns frihet… · Lund · 2018"
    assert labels["004_3743fa9254c4b3aa"] == "Det finns nog inte en enda… · Vellinge · 2018"
    assert labels["a1"] != labels["a2"]  # never two bars of the same name
    assert not any("d05961ad" in v or "3743fa92" in v for v in labels.values())
