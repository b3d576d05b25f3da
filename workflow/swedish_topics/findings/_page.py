"""The findings page: what was analysed, the topics, the findings that hold, what the
corpus cannot tell, and where everything is."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from swedish_topics.analysis.multiplicity import procedure
from swedish_topics.findings._collect import WORD_Z, Finding, Tally
from swedish_topics.findings._power import FacetPower
from swedish_topics.findings._render import Block, Inline, b, bullets, c, heading, para, t, table
from swedish_topics.findings._tables import RunTables, count, number
from swedish_topics.findings._topics import TopicInfo
from swedish_topics.methods import edge_sentence

#: Findings of one kind shown on the page (all of them are in findings.csv).
SHOW = 15
#: (topic, group) pairs of wording shown on the page, and words per pair.
SHOW_WORD_PAIRS = 10
WORDS_PER_PAIR = 5
#: Groups listed by name in the facet table (more are summarised).
LIST_GROUPS = 8


def fmt_int(n: float) -> str:
    return f"{int(n):,}".replace(",", "\u202f")


def pp(x: float, sign: bool = True, digits: int = 1) -> str:
    """A proportion as percentage points (one decimal; slopes per unit take two)."""
    if math.isnan(x):
        return "n/a"
    text = f"{100 * x:+.{digits}f}" if sign else f"{100 * x:.{digits}f}"
    return text.replace("-", "−")


def mde_pp(x: float) -> str:
    """An MDE in percentage points; above 100 nothing is detectable."""
    if math.isnan(x):
        return "n/a"
    return "> 100 (none detectable)" if x >= 1 else f"{100 * x:.1f}"


def fmt_q(q: float) -> str:
    """Two significant digits; below 0.001 (the tables keep six decimals) "< 0.001"."""
    if math.isnan(q):
        return "n/a"
    return "< 0.001" if q < 0.001 else f"{q:.2g}"


# ------------------------------------------------------------------- what was analysed
def _groups_cell(power: FacetPower) -> str:
    sizes = sorted(power.sizes.items(), key=lambda item: (-item[1], item[0]))
    if len(sizes) <= LIST_GROUPS:
        return ", ".join(f"{g} ({n})" for g, n in sizes)
    values = [n for _, n in sizes]
    return (
        f"{len(sizes)} groups of {min(values)}–{max(values)} documents "
        f"(median {statistics.median(values):g}); largest: "
        + ", ".join(f"{g} ({n})" for g, n in sizes[:3])
    )


def analysed_blocks(run: RunTables, powers: Sequence[FacetPower]) -> list[Block]:
    first, last = run.summary[0], run.summary[-1]
    unit_mode = run.cfg["preprocess"]["units"]["mode"]
    units = (
        "each document is one unit"
        if unit_mode == "documents"
        else f"{fmt_int(count(last['units']))} passages (units)"
    )
    blocks = [
        heading(2, "What was analysed"),
        para(
            t(
                f"{fmt_int(run.n_docs)} documents ({fmt_int(count(first['tokens']))} word "
                f"tokens); {units}; after preprocessing the models saw "
                f"{fmt_int(count(last['tokens']))} tokens of {fmt_int(count(last['types']))} "
                "terms."
            )
        ),
    ]
    rows: list[list[Inline]] = []
    min_docs = int(run.cfg["min_group_docs"])
    for power in powers:
        rows.append(
            [
                [t(power.facet)],
                [t(_groups_cell(power))],
                [t(f"{len(power.small)} of {power.n_groups}")],
            ]
        )
    if rows:
        blocks.append(
            table(["facet", "groups (documents)", f"groups under {min_docs} documents"], rows)
        )
    blocks.append(para(*model_sentence(run)))
    return blocks


def model_sentence(run: RunTables) -> Inline:
    """Which model, why, and whether the choice is within the seed-to-seed noise."""
    choice = run.choice
    k, seed = choice["k"], choice["seed"]
    out: Inline = [b(f"Model: K = {k} topics"), t(f" (seed {seed}). ")]
    if choice.get("pinned"):
        return [*out, t("K and the seed were pinned by the analyst (selection.k, selection.seed).")]
    cands = [c_ for c_ in choice.get("candidates", []) if c_.get("eligible")]
    chosen = next((c_ for c_ in cands if c_.get("chosen")), None)
    others = [c_ for c_ in cands if not c_.get("chosen")]
    metric = {"coherence_npmi": "NPMI coherence"}.get(choice.get("metric", ""), "metric")
    higher = "higher" in str(choice.get("direction", "higher"))
    out.append(
        t(
            f"Chosen by the pre-specified rule: the highest mean {metric} across seeds "
            "among the stable K"
        )
    )
    if chosen is None or not others:
        return [*out, t(".")]
    runner = max(others, key=lambda c_: c_["metric_mean"] if higher else -c_["metric_mean"])
    gap = abs(chosen["metric_mean"] - runner["metric_mean"])
    sd = max(number(chosen.get("metric_sd")), number(runner.get("metric_sd")))
    out.append(
        t(
            f" ({chosen['metric_mean']:.3f} against {runner['metric_mean']:.3f} for "
            f"K = {runner['k']}). "
        )
    )
    if not math.isnan(sd) and gap < sd:
        out.append(b("The choice is within the seed-to-seed noise:"))
        out.append(
            t(
                f" the gap ({gap:.3f}) is smaller than the standard deviation of the metric "
                f"across seeds ({sd:.3f}), so K = {runner['k']} would be as defensible."
            )
        )
    elif not math.isnan(sd):
        out.append(t(f"The gap ({gap:.3f}) exceeds the seed-to-seed SD ({sd:.3f})."))
    out.append(t(edge_sentence(choice)))
    return out


# ------------------------------------------------------------------------------ topics
def topic_blocks(topics: Sequence[TopicInfo]) -> list[Block]:
    rows = []
    for info in topics:
        warn = "; ".join(info.warnings)
        rows.append(
            [
                [t(str(info.topic))],
                [t(info.label)],
                [t(", ".join(info.top_terms[:8]))],
                [t(pp(info.prevalence, sign=False))],
                [b("⚠ " + warn)] if warn else [t("")],
            ]
        )
    n_warn = sum(1 for i in topics if i.warnings)
    intro = (
        f"{len(topics)} topics, with their leading terms and prevalence (mean share of a "
        "document, percent). "
        + (
            f"{n_warn} of them {'carries' if n_warn == 1 else 'carry'} a warning: a topic "
            "that is mostly one document or one source may be that document rather than a "
            "theme, and a group difference on it then only says which group holds the "
            "document."
            if n_warn
            else "No topic is concentrated in one document or one source, or led by boilerplate."
        )
    )
    return [
        heading(2, "Topics"),
        para(t(intro)),
        table(["topic", "label", "leading terms", "prevalence (%)", "warning"], rows),
    ]


# ---------------------------------------------------------------------------- findings
def finding_sentence(f: Finding) -> Inline:
    interval = (f.fcr_low, f.fcr_high)
    interval_words = "interval adjusted for selection"
    if math.isnan(interval[0]) or math.isnan(interval[1]):
        interval, interval_words = (f.ci_low, f.ci_high), "interval"
    digits = 2 if f.kind == "adjusted trend" else 1
    span = f"{pp(interval[0], digits=digits)} to {pp(interval[1], digits=digits)}"
    if f.kind == "difference":
        head: Inline = [
            b(f.group_or_term),
            t(f" ({f.facet}, {f.n_docs} documents) against the rest of the corpus, topic "),
            b(f.topic_label),
            t(f": {pp(f.estimate)} percentage points"),
        ]
    elif f.kind == "adjusted trend":
        head = [
            t("Topic "),
            b(f.topic_label),
            t(
                f" changes by {pp(f.estimate, digits=2)} percentage points per {f.facet}, "
                "adjusted for the other facets"
            ),
        ]
        span += f" per {f.facet}"
    else:
        head = [
            b(f.group_or_term),
            t(f" ({f.facet}, {f.n_docs} documents), topic "),
            b(f.topic_label),
            t(
                f": {pp(f.estimate)} percentage points against the average {f.facet}, "
                "adjusted for the other facets"
            ),
        ]
    tail: Inline = [
        t(f" ({interval_words} {span}; q {_q_words(f.q_value)}); holds in {f.holds_in}. From "),
        c(f"{f.source_table}"),
        t(f" row {f.source_row}; figure "),
        c(f.figure),
        t("."),
    ]
    if f.caveat:
        tail += [t(" "), b("Caveat: "), t(f.caveat + ".")]
    return head + tail


def _q_words(q: float) -> str:
    text = fmt_q(q)
    return text if text.startswith("<") else f"= {text}"


def _tally_sentence(tally: Tally, fdr: float) -> str:
    if not tally.significant:
        return f"No row of the difference or adjusted-effect tables has q ≤ {fdr:g}."
    parts = [
        f"{tally.significant} rows of the difference and adjusted-effect tables are significant "
        f"after the FDR adjustment (q ≤ {fdr:g}); {tally.held} of them hold in the other models"
    ]
    if tally.failed:
        parts.append(f"{tally.failed} do not (same sign and q ≤ {fdr:g} in at most half of them)")
    if tally.unchecked:
        parts.append(f"{tally.unchecked} could not be checked (no other model matched)")
    return "; ".join(parts) + ". Only those that hold are listed."


def findings_blocks(
    findings: Sequence[Finding], words: Sequence[Finding], tally: Tally, cfg: Mapping[str, Any]
) -> list[Block]:
    fdr = float(cfg["analysis"]["fdr"])
    blocks = [
        heading(2, "Findings that hold"),
        para(t(_tally_sentence(tally, fdr))),
    ]
    for kind, title in (
        ("difference", "Differences between a group and the rest"),
        ("adjusted effect", "Adjusted effects"),
        ("adjusted trend", "Adjusted trends"),
    ):
        rows = [f for f in findings if f.kind == kind]
        if not rows:
            continue
        blocks.append(heading(3, f"{title} ({len(rows)}, largest first)"))
        blocks.append(bullets([finding_sentence(f) for f in rows[:SHOW]]))
        if len(rows) > SHOW:
            blocks.append(para(t(f"{len(rows) - SHOW} more in "), c("findings.csv"), t(".")))
    blocks += wording_blocks(words)
    return blocks


def wording_blocks(words: Sequence[Finding]) -> list[Block]:
    if not words:
        return []
    pairs: dict[tuple[int, str, str], list[Finding]] = {}
    for w in words:
        group = w.group_or_term.split(": ", 1)[0]
        pairs.setdefault((w.topic, w.facet, group), []).append(w)
    ordered = sorted(pairs.items(), key=lambda item: (-max(w.estimate for w in item[1]), item[0]))
    items = []
    for (_topic, facet, group), rows in ordered[:SHOW_WORD_PAIRS]:
        rows = sorted(rows, key=lambda w: -w.estimate)[:WORDS_PER_PAIR]
        terms = ", ".join(f"{w.group_or_term.split(': ', 1)[1]} ({w.estimate:.1f})" for w in rows)
        items.append(
            [
                b(group),
                t(f" ({facet}) words topic "),
                b(rows[0].topic_label),
                t(f" with {terms}; "),
                c(rows[0].source_table),
                t("."),
            ]
        )
    return [
        heading(3, f"Wording that holds ({len(pairs)} topic–group pairs)"),
        para(
            t(
                f"Words a group uses more within a topic than the rest of the corpus: log-odds "
                f"z ≥ {WORD_Z} (descriptive, not adjusted for the many words compared), the group "
                "not flagged as small, and the word among the group's leading words in every "
                "other seed. z in brackets."
            )
        ),
        bullets(items),
    ]


# ------------------------------------------------------------- what the corpus can't tell
def limits_blocks(
    powers: Sequence[FacetPower], effect_notes: Mapping[str, str], cfg: Mapping[str, Any]
) -> list[Block]:
    acfg = cfg["analysis"]
    level, fdr = float(acfg["ci_level"]), float(acfg["fdr"])
    min_docs = int(cfg["min_group_docs"])
    items: list[Inline] = []
    for power in powers:
        if not power.comparable:
            items.append(
                [
                    b(power.facet),
                    t(
                        f": no group has {min_docs} or more documents with at least {min_docs} "
                        "in the rest of the corpus, so no difference by "
                        f"{power.facet} can be told from chance here."
                    ),
                ]
            )
        elif power.small:
            names = ", ".join(power.small[:LIST_GROUPS]) + (
                f" and {len(power.small) - LIST_GROUPS} more"
                if len(power.small) > LIST_GROUPS
                else ""
            )
            items.append(
                [
                    b(power.facet),
                    t(
                        f": {len(power.small)} of {power.n_groups} groups have fewer than "
                        f"{min_docs} documents ({names}); their rows are descriptive, not findings."
                    ),
                ]
            )
    notes = sorted(set(effect_notes.values()))
    if notes:
        items.append([b("Adjusted effects"), t(f": none was estimated ({'; '.join(notes)}).")])
    blocks = [heading(2, "What this corpus cannot tell")]
    if items:
        blocks.append(bullets(items))
    return blocks + mde_blocks(powers, level=level, fdr=fdr, method=procedure(acfg))


#: How the run's procedure compares with the Benjamini–Hochberg step-up the MDE assumes.
_MDE_VERSUS_BH = {
    "by": " (the Benjamini–Yekutieli procedure of this run asks more, by its factor c(m))",
    "storey": " (Storey's q-values of this run ask a little less when many differences are "
    "real, and the same when few are)",
    "bky": " (the adaptive procedure of this run asks a little less when many differences "
    "are real, and the same when few are)",
}


def mde_blocks(
    powers: Sequence[FacetPower], *, level: float, fdr: float, method: str
) -> list[Block]:
    """The minimum detectable differences per facet ("" when no facet was tested)."""
    blocks: list[Block] = []
    rows = []
    for power in powers:
        if not power.n_tests:
            continue
        rows.append(
            [
                [t(power.facet)],
                [t(str(power.n_tests))],
                [t(mde_pp(power.mde_nominal))],
                [t(f"{mde_pp(power.mde_fdr)} (α = {power.alpha_fdr:.2g})")],
                [t(mde_pp(power.mde_best))],
            ]
        )
    if rows:
        blocks.append(
            para(
                t(
                    "No finding is not the same as no difference. The smallest group − rest "
                    "difference each facet's tests could detect with 80 % power, "
                    "(z₁₋α/₂ + z₀.₈)·SE, from the standard errors of this run's own intervals, "
                    f"in percentage points: at the nominal α = {1 - level:.2g} of one planned "
                    f"comparison, and at α = {fdr:g}/m, the p-value a lone true difference "
                    f"needs among the table's m tests to pass a Benjamini–Hochberg step-up at "
                    f"FDR {fdr:g}{_MDE_VERSUS_BH.get(method, '')}."
                )
            )
        )
        blocks.append(
            table(
                [
                    "facet",
                    "tests m",
                    f"MDE, α = {1 - level:.2g} (median row)",
                    "MDE, α = FDR/m (median row)",
                    "MDE, best-measured group",
                ],
                rows,
            )
        )
    return blocks


# --------------------------------------------------------------------- where things are
def files_blocks(cited: Sequence[str], cfg: Mapping[str, Any]) -> list[Block]:
    facets = ", ".join(cfg["facets"])
    rows: list[list[Inline]] = []
    for path in cited:
        rows.append([[t("cited above (for a paper)")], [c(path)]])
    rows += [
        [[t("this page, machine-readable")], [c("findings.csv")]],
        [[t("methods paragraph for a paper")], [c("methods.md")]],
        [
            [t("topics, terms, prevalence")],
            [
                c("tables/topics.csv"),
                t(", "),
                c("tables/topic_terms.csv"),
                t(", "),
                c("figures/top_terms.png"),
            ],
        ],
        [
            [t(f"comparisons by {facets}")],
            [
                c("tables/differences_by_<facet>.csv"),
                t(", "),
                c("tables/effects_by_<facet>.csv"),
                t(", "),
                c("tables/robustness_by_<facet>.csv"),
            ],
        ],
        [[t("figures (PNG and print PDF)")], [c("figures/")]],
        [
            [t("how groups word a topic")],
            [c("tables/topic_terms_by_<facet>.csv"), t(", "), c("figures/topic_browser.html")],
        ],
        [
            [t("model choice and diagnostics")],
            [c("model_selection/"), t(", "), c("figures/model_selection.png")],
        ],
        [
            [t("sensitivity runs, validation sheets")],
            [c("sensitivity/"), t(", "), c("validation/")],
        ],
        [
            [t("versions, checksums, config; logs; models")],
            [c("provenance.json"), t(", "), c("logs/"), t(", "), c("models/")],
        ],
    ]
    return [
        heading(2, "Where everything is"),
        para(
            t(
                "Paths are relative to this folder. Every table comes as CSV (full precision), "
                ".md and .tex (rounded for print); every figure as PNG and PDF. "
                "The files cited by the findings come first."
            )
        ),
        table(["what", "where"], rows),
    ]


def opening(run: RunTables, powers: Sequence[FacetPower], n_findings: int) -> Block:
    """The plain first sentence."""
    if powers and not any(p.comparable for p in powers):
        facets = " or ".join(p.facet for p in powers)
        return para(
            b(
                f"With {fmt_int(run.n_docs)} documents, this corpus supports no comparison "
                f"between groups: no group of {facets} and the rest of the corpus beside it "
                f"both reach {run.cfg['min_group_docs']} documents. No finding is listed."
            ),
            t(" The topics below describe the corpus; they are not findings about groups."),
        )
    if not n_findings:
        return para(
            b(
                "No comparison is significant after the FDR adjustment and holds in the "
                "other models."
            ),
            t(" See what this corpus cannot tell for the differences it could have detected."),
        )
    return para(
        b(f"{n_findings} findings hold"),
        t(" (significant after the FDR adjustment and in the other models), largest first below."),
    )
