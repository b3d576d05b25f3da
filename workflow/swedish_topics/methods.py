"""A methods paragraph generated from the actual run, ready to paste into a paper.

Every number in it is read from the run's own outputs (validation, preprocessing
summary, model-selection tables, the choice, the prevalence tables, provenance), so the
text cannot drift from the results. The text is deterministic: the same run gives the
same bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

logger = logging.getLogger(__name__)


def _fmt_int(n: int | float) -> str:
    return f"{int(n):,}".replace(",", "\u202f")


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def small_groups(
    prevalence_rows: Mapping[str, Sequence[Mapping[str, str]]], min_group_docs: int
) -> dict[str, list[tuple[str, int]]]:
    """Groups per facet with fewer than ``min_group_docs`` documents, from the tables."""
    out: dict[str, list[tuple[str, int]]] = {}
    for facet, rows in prevalence_rows.items():
        seen: dict[str, int] = {}
        for row in rows:
            seen[row[facet]] = int(row["n_docs"])
        small = sorted((g, n) for g, n in seen.items() if n < min_group_docs)
        if small:
            out[facet] = small
    return out


def comparable_groups(
    prevalence_rows: Mapping[str, Sequence[Mapping[str, str]]], min_group_docs: int
) -> dict[str, list[str]]:
    """Groups per facet that, and whose rest of the corpus, have ``min_group_docs``
    documents or more: the groups a comparison can tell from chance."""
    out: dict[str, list[str]] = {}
    for facet, rows in prevalence_rows.items():
        sizes: dict[str, int] = {}
        for row in rows:
            sizes[row[facet]] = int(row["n_docs"])
        total = sum(sizes.values())
        out[facet] = sorted(
            g for g, n in sizes.items() if n >= min_group_docs and total - n >= min_group_docs
        )
    return out


def too_small_sentence(
    prevalence_rows: Mapping[str, Sequence[Mapping[str, str]]], min_group_docs: int, n_docs: int
) -> str:
    """The plain opening when no facet has a group to compare ("" otherwise)."""
    groups = comparable_groups(prevalence_rows, min_group_docs)
    if not groups or any(groups.values()):
        return ""
    return (
        f"**This corpus is too small for any comparison between groups.** With {n_docs} "
        f"documents, no group of {' or '.join(groups)} and the rest of the corpus both reach "
        f"{min_group_docs} documents, so the tables of prevalence, differences and effects "
        "describe these documents and support no claim about groups."
    )


def run_facts(
    cfg: Mapping[str, Any],
    prevalence: Mapping[str, Sequence[Mapping[str, str]]],
    effects: Mapping[str, Sequence[Mapping[str, str]]] | None,
) -> dict[str, Any]:
    """What this run estimated, for :func:`comparisons_paragraph`: whether adjusted
    effects were estimated (and the tables' reason when not), whether any group is a
    single document, whether units are documents."""
    rows = [r for facet_rows in (effects or {}).values() for r in facet_rows]
    estimated = effects is None or any(r.get("estimate", "") != "" for r in rows)
    notes = sorted({r.get("note", "") for r in rows if r.get("note")})
    single = any(n == 1 for groups in small_groups(prevalence, 2).values() for _g, n in groups)
    return {
        "effects_estimated": estimated,
        "effects_note": "" if estimated else (notes[0] if notes else ""),
        "single_doc_groups": single,
        "units_are_documents": cfg["preprocess"]["units"]["mode"] == "documents",
    }


def _names_text(names: Mapping[str, Any], summary: Sequence[Mapping[str, str]]) -> str:
    """The name filter's part of the stopword sentence ("" when names are kept)."""
    mode = names.get("remove", "persons")
    steps = {row["step"]: row for row in summary}
    if mode == "none" or "names_removed" not in steps:
        return ""
    n = int(steps["stopwords_removed"]["types"]) - int(steps["names_removed"]["types"])
    share = float(names.get("capitalised_share", 0.9))
    what = (
        f"{_fmt_int(n)} person names (lemmas capitalised mid-sentence in at least "
        f"{share:.0%} of their occurrences, most of them following a Swedish given name)"
        if mode == "persons"
        else f"{_fmt_int(n)} proper nouns (lemmas capitalised mid-sentence in at least "
        f"{share:.0%} of their occurrences)"
    )
    return f", and, before collocations were joined, {what}"


def _priors_text(model: Mapping[str, Any]) -> str:
    """How α and η were set, e.g. learned asymmetric α (tomotopy, ``alpha: auto``)."""
    alpha, eta = model["alpha"], model["eta"]
    eta_text = f"η = {eta}" if eta is not None else "η = 1/K (symmetric, fixed)"
    if alpha == "auto" and model["engine"] == "tomotopy":
        burn = int(model.get("optim_burn_in", 0))
        alpha_text = (
            "an asymmetric document-topic prior α, started at 1/K and re-estimated from the "
            f"topic assignments every {int(model.get('optim_interval', 10))} sweeps"
            + (f" after {burn} sweeps" if burn else "")
            + " (Minka's fixed-point update, as in MALLET; Wallach, Mimno & McCallum 2009)"
        )
    elif alpha == "auto":
        alpha_text = "an asymmetric α learned during training (gensim's alpha='auto')"
    elif alpha == "symmetric":
        alpha_text = "α = 1/K (symmetric, fixed)"
    else:
        alpha_text = f"α = {alpha}"
    return f"{alpha_text}, {eta_text}"


def methods_text(
    *,
    cfg: Mapping[str, Any],
    validation: Mapping[str, Any],
    summary: Sequence[Mapping[str, str]],
    metrics: Sequence[Mapping[str, str]],
    stability: Sequence[Mapping[str, str]],
    choice: Mapping[str, Any],
    topics: Sequence[Mapping[str, str]],
    prevalence: Mapping[str, Sequence[Mapping[str, str]]],
    provenance: Mapping[str, Any],
    validation_facts: Mapping[str, Any] | None = None,
    effects: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
    cleaning: Mapping[str, int] | None = None,
) -> str:
    """Compose the methods section (Markdown) from the run's outputs.

    ``validation_facts`` (from :func:`swedish_topics.pipeline.validation.validation_facts`)
    adds a paragraph on the validations the run supports (:func:`validation_paragraph`).
    ``effects`` (the ``effects_by_<facet>`` rows by facet) says whether adjusted effects
    were estimated; without it they are described as estimated. ``cleaning`` (paragraphs
    removed by reason, summed over the shards' counts) limits the cleaning sentence to the
    steps that removed something.
    """
    packages = provenance.get("packages", {})
    n_docs = int(validation["n_docs"])
    paras = [
        _corpus_paragraph(cfg, validation, summary, packages, cleaning),
        _models_paragraph(cfg, metrics, stability, choice, packages),
        comparisons_paragraph(cfg, run=run_facts(cfg, prevalence, effects)),
    ]
    opening = too_small_sentence(prevalence, cfg["min_group_docs"], n_docs)
    if opening:
        paras.insert(0, opening)
    small = _small_groups_paragraph(prevalence, cfg["min_group_docs"])
    if small:
        paras.append(small)
    if "content" in cfg:
        paras.append(content_sentences(cfg))  # issue 15: how groups word each topic
    if validation_facts:
        text = validation_paragraph(
            {**same_as_main_left_out(validation_facts, cfg), "n_docs": n_docs}
        )
        if text:
            paras.append(text)
    labels = "; ".join(t["label"] for t in topics)
    paras.append(f"**Topics of the final model.** {labels}.")
    paras.append(_reproducibility_paragraph(provenance))
    return "# Methods\n\n" + "\n\n".join(paras) + "\n"


def _clean_bits(clean: Mapping[str, Any], cleaning: Mapping[str, int] | None) -> list[str]:
    """What cleaning did. With ``cleaning`` (paragraphs removed by reason and
    ``hyphenations_joined``, summed over the shards) only the steps that changed
    something, with their counts; without it the steps the configuration enables."""
    if cleaning is None:
        bits = [
            "removed page furniture (bylines, dates, newsletter blurbs and similar "
            "lines matched by configurable patterns)"
        ]
        if clean["drop_repeated_paragraphs"]:
            bits.append("dropped paragraphs repeated within a document")
        if clean["drop_caption_lead"]:
            bits.append("dropped photo captions repeated as the lead")
        if clean["join_hyphenation"]:
            bits.append("joined words hyphenated across line breaks")
        return bits
    n = {k: int(v) for k, v in cleaning.items()}
    furniture = n.get("furniture", 0) + n.get("byline", 0) + n.get("dateline", 0)
    bits = []
    if furniture:
        bits.append(
            f"removed {_fmt_int(furniture)} lines of page furniture (bylines, dates, "
            "newsletter blurbs and similar lines matched by configurable patterns)"
        )
    if n.get("repeated_paragraph"):
        bits.append(
            f"dropped {_fmt_int(n['repeated_paragraph'])} paragraphs repeated within a document"
        )
    if n.get("caption_lead"):
        bits.append(
            f"dropped {_fmt_int(n['caption_lead'])} photo captions or standfirsts repeated "
            "as the lead"
        )
    if n.get("hyphenations_joined"):
        bits.append(
            f"joined {_fmt_int(n['hyphenations_joined'])} words hyphenated across line breaks"
        )
    return bits or ["found no page furniture, repeated paragraph or caption to remove"]


def _corpus_paragraph(
    cfg: Mapping[str, Any],
    validation: Mapping[str, Any],
    summary: Sequence[Mapping[str, str]],
    packages: Mapping[str, str],
    cleaning: Mapping[str, int] | None = None,
) -> str:
    """Corpus and preprocessing: cleaning, units, tokens, lemmas, stopwords, vocabulary."""
    pre = cfg["preprocess"]
    first = summary[0]
    last = summary[-1]
    n_docs = int(validation["n_docs"])
    n_units = int(last["units"])
    vocab = int(last["types"])
    tokens = int(last["tokens"])
    units = pre["units"]
    if units["mode"] == "paragraphs":
        unit_text = (
            "paragraphs, with consecutive short paragraphs merged to at least "
            f"{units['min_tokens']} word tokens and longer ones split at sentence boundaries "
            f"above {units['max_tokens']} tokens"
        )
    else:
        unit_text = None

    clean_bits = _clean_bits(pre["clean"], cleaning)
    stop_bits = "a Swedish stopword list"
    if pre["stopwords"]["extra"] or pre["stopwords"]["extra_file"]:
        stop_bits += " with corpus-specific additions"
    if pre["stopwords"]["remove_facet_values"]:
        cat = [f for f in cfg["facets"] if f not in cfg["numeric_facets"]]
        if cat:
            stop_bits += f", and the values of the metadata columns {_join(cat)}"
            stop_bits += " (so that topics describe themes, not places)"

    stop_bits += _names_text(pre.get("names") or {}, summary)

    phrases = (
        f"frequent collocations were joined as gensim's Phrases joins them (NPMI threshold "
        f"{pre['phrases']['threshold']}, minimum count {pre['phrases']['min_count']})"
        if pre["phrases"]["enabled"]
        else "no collocations were joined"
    )
    voc = pre["vocabulary"]

    return (
        f"**Corpus and preprocessing.** The corpus comprised {_fmt_int(n_docs)} documents "
        f"({_fmt_int(int(first['tokens']))} word tokens). We "
        + _join(clean_bits)
        + (
            f". The unit of analysis was {unit_text}, giving {_fmt_int(n_units)} units. Texts "
            if unit_text
            else ". Each document was one unit of analysis. Texts "
        )
        + "were tokenised into lower-case words of letters, with numbers, punctuation, URLs "
        "and e-mail addresses removed and hyphenated compounds kept whole, "
        f"and lemmatised with simplemma ({packages.get('simplemma', '')}) plus a table of "
        f"manual corrections. We removed {stop_bits}; {phrases}. The vocabulary kept terms "
        f"occurring in at least {voc['no_below']} units and at most "
        f"{voc['no_above']:.0%} of units (at most {_fmt_int(voc['keep_n'])} terms), "
        f"leaving {_fmt_int(vocab)} terms and {_fmt_int(tokens)} tokens."
    )


def _models_paragraph(
    cfg: Mapping[str, Any],
    metrics: Sequence[Mapping[str, str]],
    stability: Sequence[Mapping[str, str]],
    choice: Mapping[str, Any],
    packages: Mapping[str, str],
) -> str:
    """Topic models: engine, grid, priors, evaluation and the choice of the final model."""
    model = cfg["model"]
    ks = sorted({int(r["k"]) for r in metrics})
    seeds = sorted({int(r["seed"]) for r in metrics})
    engine = model["engine"]
    engine_version = packages.get(engine, "")
    stab_passing = [r["k"] for r in stability if r.get("passes", "") == "true"]
    heldout = model["heldout_fraction"]
    return (
        f"**Topic models.** We fitted latent Dirichlet allocation (LDA) with "
        f"{'gensim' if engine == 'gensim' else 'tomotopy'} ({engine_version}) for "
        f"K ∈ {{{', '.join(map(str, ks))}}}, each with {len(seeds)} random seeds "
        f"({', '.join(map(str, seeds))}), {_priors_text(model)}, "
        + (
            f"{model['passes']} passes and up to {model['iterations']} iterations per document"
            if engine == "gensim"
            else f"{model['iterations']} Gibbs-sampling iterations"
        )
        + f", on {1 - heldout:.0%} of the units; {heldout:.0%} (a fixed, seeded split) were "
        f"held out to estimate perplexity. Each model was evaluated by topic coherence on "
        f"its top {cfg['evaluation']['top_n']} words (NPMI, C_V and UMass, as defined in "
        f"gensim), held-out perplexity, topic diversity (share of unique words among the top "
        f"25 words of all topics), exclusivity, and stability across seeds (topics of each "
        f"pair of seeds matched one-to-one by the Hungarian algorithm; mean similarity "
        f"1 − Hellinger distance). "
        + (
            f"The final model (K = {choice['k']}, seed {choice['seed']}) was pinned by the analyst."
            if choice.get("pinned")
            else choice_sentence(choice)
        )
        + (
            ""
            if stab_passing or choice.get("pinned")
            else " No K reached the stability threshold, so the choice is weakly supported."
        )
    )


def _lower_first(text: str) -> str:
    text = text.rstrip(".")
    return text[:1].lower() + text[1:]


def choice_sentence(choice: Mapping[str, Any]) -> str:
    """How the rule chose K and the seed, and whether the chosen K's lead over the
    runner-up is within the seed-to-seed spread of the metric (no instructions)."""
    metric = {"coherence_npmi": "NPMI coherence"}.get(choice["metric"], choice["metric"])
    cands = [c for c in choice.get("candidates", []) if c.get("eligible")]
    chosen = next((c for c in cands if c.get("chosen")), None)
    others = [c for c in cands if not c.get("chosen")]
    text = (
        f"The final model was chosen by a pre-specified rule ({_lower_first(choice['rule'])}): "
        f"K = {choice['k']}, seed {choice['seed']}."
    )
    if chosen is None or not others:
        return text
    higher = "higher" in str(choice.get("direction", "higher is better"))
    runner = max(others, key=lambda c: c["metric_mean"] if higher else -c["metric_mean"])
    gap = abs(chosen["metric_mean"] - runner["metric_mean"])
    sd = max(float(chosen.get("metric_sd") or 0.0), float(runner.get("metric_sd") or 0.0))
    text += (
        f" Its mean {metric} was {chosen['metric_mean']:.3f} against {runner['metric_mean']:.3f} "
        f"for the next best K = {runner['k']}"
    )
    if gap < sd:
        text += (
            f", a difference ({gap:.3f}) smaller than the standard deviation across seeds "
            f"({sd:.3f}): the two K are not distinguished by the metric."
        )
    else:
        text += f" (standard deviation across seeds {sd:.3f})."
    return text + edge_sentence(choice)


def edge_sentence(choice: Mapping[str, Any]) -> str:
    """ " The chosen K is the largest of the grid: …" ("" inside the grid)."""
    edge = choice.get("edge") or {}
    side = edge.get("side") if isinstance(edge, Mapping) else None
    if side not in ("largest", "smallest"):
        return ""
    more = "more" if side == "largest" else "fewer"
    return (
        f" The chosen K is the {side} of the grid, so a model with {more} topics, not "
        "trained here, might score better."
    )


def _small_groups_paragraph(
    prevalence: Mapping[str, Sequence[Mapping[str, str]]], min_group_docs: int
) -> str:
    """The caveat on groups with fewer than ``min_group_docs`` documents ("" if none)."""
    small = small_groups(prevalence, min_group_docs)
    if not small:
        return ""
    parts = []
    for facet, groups in small.items():
        singles = [g for g, n in groups if n == 1]
        few = [f"{g} ({n} documents)" for g, n in groups if n > 1]
        if singles:
            verb = "has a single document"
            if len(singles) > 1:
                verb = "have a single document each"
            parts.append(f"by {facet}, {_join(singles)} {verb}")
        if few:
            verb = "has" if len(few) == 1 else "have"
            parts.append(f"by {facet}, {_join(few)} {verb} fewer than {min_group_docs} documents")
    sentence = "; ".join(parts)
    return (
        "**Caveat: small groups.** "
        + sentence[:1].upper()
        + sentence[1:]
        + ". For a single-document group the interval is a bootstrap over that "
        "document's units and reflects variation within one text, not between documents; "
        "comparisons involving these groups are illustrative and should not be read as "
        "evidence of a difference between groups."
    )


def _reproducibility_paragraph(provenance: Mapping[str, Any]) -> str:
    """Where parameters, versions and checksums are recorded; the workflow commit."""
    git = provenance.get("git", {})
    commit = git.get("commit")
    if commit and git.get("dirty"):
        commit = f"{commit[:12]} (with uncommitted changes)"
    return (
        "**Reproducibility.** All parameters, package versions and SHA-256 checksums of the "
        "corpus files are recorded in `provenance.json`"
        + (f"; workflow commit {commit[:12]}" if commit else "")
        + ". The same corpus, configuration and seeds reproduce these tables exactly."
    )


def _effects_variance_words(acfg: Mapping[str, Any]) -> str:
    """How the adjusted effects' sampling variance is estimated (methods.md)."""
    if (acfg.get("effects") or {}).get("variance", "quasi") == "quasi":
        return (
            "their sampling variance is a sandwich whose meat is each document's variance from "
            "the quasi-binomial variance function φ·μ⁰(1 − μ⁰), where μ⁰ is the fit of the "
            "model without the facet with the most groups (the hypothesis under which its "
            "groups' effects are tested) and φ the dispersion of the full model's residuals, "
            "with n − p degrees of freedom: a small group's variance is never taken from its "
            "own few documents. "
        )
    if acfg.get("moderate_variances", True):
        return (
            "their sampling variance is the HC2 sandwich estimator with each group's squared "
            "residuals scaled to its moderated variance (empirical Bayes, Smyth 2004: a "
            "group's variance between documents pulled towards the typical group variance of "
            "the topic, with the prior's degrees of freedom added to the group's n_g − 1). "
        )
    return (
        "their sampling variance is the HC2 sandwich estimator with n_g − 1 degrees of "
        "freedom for a group's effect. "
    )


def _interval_words(acfg: Mapping[str, Any], *, single_doc: bool = True) -> str:
    """How the intervals of prevalence and differences are built (methods.md); the
    sentence on single-document groups only when the run has one (``single_doc``)."""
    level = acfg["ci_level"]
    draws = int(acfg.get("posterior_draws", 0))
    posterior_words = (
        f"and the topic model's uncertainty about each document's proportions: {draws} "
        "draws of every unit's proportions from its posterior, Dirichlet(α + the "
        "unit's topic counts averaged over the last Gibbs states, or γ for variational "
        "inference), aggregated to documents and combined by Rubin's rules with "
        "Barnard–Rubin degrees of freedom (the method of composition of Roberts et "
        "al. 2016). "
        if draws >= 2
        else "(the model's own uncertainty was left out: analysis.posterior_draws = 0). "
    )
    single = (
        "Single-document groups get an interval from resampling that document's units "
        "and no p-value."
        if single_doc
        else ""
    )
    if acfg.get("interval", "score") == "score":
        return (
            f"{level:.0%} score intervals, built as the Wilson interval of a proportion is: "
            "document proportions get the quasi-binomial variance φ·μ(1 − μ), with the "
            "dispersion φ of each topic pooled over all groups, and the interval is every "
            "value μ (for a group − rest difference Δ: the group's mean equal to the rest's "
            "plus Δ) that the test with the variance *at that value* does not reject; the "
            "variance adds the rest's sampling variance "
            + posterior_words
            + "This keeps a small group whose documents happened to miss a topic (a low mean "
            "and a low sample variance together) from getting a narrow interval in the "
            "wrong place. The test's null distribution is skewed as a small group's mean of "
            "a minor topic is (a long upper tail): the three-moment (Pearson type III) "
            "approximation with the third moment of the same variance function, mapped to "
            "t. The p-value of a difference is the score test at Δ = 0, so an "
            f"interval excludes 0 exactly when p < {1 - level:.2f}. " + single
        )
    if acfg.get("interval", "score") == "t":
        moderated = (
            "each group's sample variance moderated towards the topic's typical group "
            "variance (empirical Bayes, Smyth 2004)"
            if acfg.get("moderate_variances", True)
            else "each group's own sample variance"
        )
        return (
            f"{level:.0%} t intervals whose variance adds the variation between documents "
            f"({moderated}; Welch for a group against the rest) "
            + posterior_words
            + "p-values come from the same t statistic, so an interval excludes 0 exactly "
            f"when p < {1 - level:.2f}. " + single
        )
    return (
        f"{level:.0%} percentile bootstrap intervals ({_fmt_int(acfg['bootstrap'])} "
        f"replicates resampling documents; seed {acfg['bootstrap_seed']}), which reflect "
        "variation between documents only; p-values from the corresponding t test."
    )


def comparisons_paragraph(cfg: Mapping[str, Any], run: Mapping[str, Any] | None = None) -> str:
    """The comparisons: estimands, model, uncertainty sources, multiplicity, pooling,
    robustness and the coverage measured by the calibration study (quoted from
    ``studies/calibration/results.csv``)."""
    from swedish_topics.analysis.calibration import calibration_sentence, read_calibration

    acfg = cfg["analysis"]
    run = run or {}
    formula = (acfg.get("effects") or {}).get("formula") or " + ".join(cfg["facets"])
    interval = _interval_words(acfg, single_doc=run.get("single_doc_groups", True))
    estimated = run.get("effects_estimated", True)
    text = (
        "**Comparisons.** "
        + (
            ""
            if run.get("units_are_documents")
            else "Each document's topic proportions are the token-weighted means of its units' "
            "proportions. "
        )
        + ("Three estimands are reported. " if estimated else "Two estimands are reported. ")
        + "*Prevalence* of a topic in a "
        "group: the mean topic proportion of the population of documents the group's "
        "documents come from (marginal: not adjusted for other facets). *Group − rest*: that "
        "prevalence minus the document-weighted prevalence of all other documents. "
        + (_effects_words(cfg, formula) if estimated else _no_effects_words(formula, run))
        + "Intervals of prevalence and differences are "
        + interval
    )
    text = text.rstrip() + _multiplicity_words(cfg, acfg)
    quote = calibration_sentence(read_calibration(), acfg)
    return text + (" " + quote if quote else "")


def _no_effects_words(formula: str, run: Mapping[str, Any]) -> str:
    """The sentence that adjusted effects could not be estimated, and why."""
    note = run.get("effects_note") or "the model could not be fitted"
    note = note.removeprefix("not estimated: ")
    return (
        f"Adjusted effects (least squares of the document proportion on {formula}) could "
        f"not be estimated in this run: {note}. "
    )


def _effects_words(cfg: Mapping[str, Any], formula: str) -> str:
    """The adjusted-effects estimand and its variance."""
    acfg = cfg["analysis"]
    return (
        f"*Adjusted effects*: per topic, ordinary least squares of the document proportion "
        f"on {formula}, categorical variables in deviation (sum-to-zero) coding, so that a "
        "group's effect is its difference from the unweighted average of the groups with "
        "the other terms held fixed, and numeric facets as linear slopes (the average change "
        "per unit, e.g. per year)"
        + (
            "; a natural-spline term ns(x, df) (Harrell's restricted cubic spline, knots at "
            "his default quantiles) is reported as its average slope, the mean over the "
            "documents of the fitted curve's derivative; "
            if "ns(" in formula
            else "; "
        )
        + _effects_variance_words(acfg)
    )


def _multiplicity_words(cfg: Mapping[str, Any], acfg: Mapping[str, Any]) -> str:
    """Multiplicity, pooling, robustness and the trend tables."""
    from swedish_topics.analysis.multiplicity import methods_sentence

    return (
        methods_sentence(acfg)
        + " Figures show only significant effects as evidence. Beside each raw group mean, "
        "the prevalence tables give a partially pooled (empirical-Bayes, "
        "DerSimonian–Laird) estimate that pulls groups with few documents towards the "
        "average. Robustness: every difference and effect was recomputed in the other seeds "
        "of the chosen K (topics matched one to one by the Hungarian algorithm) and in the "
        "neighbouring K of the grid (topics matched to sums of topics), and holds_in counts "
        "the models in which it has the same "
        "sign and q ≤ the FDR level."
        + (
            f" The trend tables (trend_by_{cfg['numeric_facets'][0]}, …) give the unadjusted "
            "least-squares slope with a percentile bootstrap interval over documents; they are "
            "descriptive: not adjusted for multiplicity, and never counted as significant."
            if cfg["numeric_facets"]
            else ""
        )
    )


def content_sentences(cfg: Mapping[str, Any]) -> str:
    """The methods paragraph of the content stage (words by group, divergence, time)."""
    ccfg = cfg["content"]
    numeric = list(cfg.get("numeric_facets", []))
    time = (
        f" Words rising or falling over {_join(numeric)} compare the earlier with the later "
        "half of the period"
        + (
            " within the groups of the other facets, pooled with inverse-variance weights."
            if ccfg["stratify"]
            else " over all documents (a marginal comparison)."
        )
        if numeric
        else ""
    )
    return (
        "**How groups word each topic.** For every topic and group we computed the expected "
        "number of each word's tokens that the topic holds in every unit, "
        "n(d,w)·θ_dk·φ_kw / Σ_j θ_dj·φ_jw, and compared each group with the rest of the corpus "
        "by the weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi and "
        f"Quinn 2008; prior {ccfg['prior_strength']:g} times the topic's corpus-wide counts). "
        "Its z-scores rank words and are not tests. Groups with fewer than "
        f"{cfg['min_group_docs']} documents or {ccfg['min_topic_tokens']:g} tokens of a topic "
        "are flagged and their words are not interpreted. How differently the groups word a "
        "topic is the token-weighted Jensen–Shannon divergence of their word distributions, "
        f"reported as the excess over a permutation null ({ccfg['permutations']} shuffles of "
        "the documents' groups), because the raw divergence grows as groups get smaller." + time
    )


# ---------------------------------------------------------------- validation (issue 17)
def _f(value: Any, digits: int = 2) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if number != number else f"{number:.{digits}f}"


def _intrusion_sentences(facts: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    n_word, n_topic = facts.get("word_tasks"), facts.get("topic_tasks")
    if n_word is None and n_topic is None:
        return out
    out.append(
        f"For validation by human coders (Chang et al. 2009), the run drew {n_word or 0} "
        "word-intrusion tasks (the five most probable words of a topic and one word that is "
        "improbable in it but among the ten most probable of another topic) and "
        f"{n_topic or 0} topic-intrusion tasks (a passage with its three most probable topics "
        f"and one improbable topic), seed {facts.get('seed')}."
    )
    scores = {row["task"]: row for row in facts.get("intrusion_scores") or []}
    if "word intrusion" in scores:
        w = scores["word intrusion"]
        out.append(
            f"{w['n_coders']} coder(s) gave {w['n_answers']} word-intrusion answers; mean "
            f"model precision was {_f(w['mean_score'])} (chance {_f(w['chance'])}; "
            f"Krippendorff's α between coders {_f(w['krippendorff_alpha'])})."
        )
    if "topic intrusion" in scores:
        t = scores["topic intrusion"]
        out.append(
            f"{t['n_coders']} coder(s) gave {t['n_answers']} topic-intrusion answers; mean "
            f"topic log odds was {_f(t['mean_score'])} (0 is best; the intruder was found in "
            f"{_f(100 * float(t['share_correct']), 0)}% of answers, chance "
            f"{_f(100 * float(t['chance']), 0)}%; α {_f(t['krippendorff_alpha'])})."
        )
    if not scores:
        out.append("The coders' answers have not been scored yet.")
    return out


def _coding_sentences(facts: Mapping[str, Any]) -> list[str]:
    if facts.get("coding_size") is None:
        return []
    size, n_docs = int(facts["coding_size"]), facts.get("n_docs")
    if n_docs is not None and size >= int(n_docs):
        out = [f"All {size} documents of the corpus were drawn for hand coding."]
    else:
        out = [
            f"A stratified random sample of {size} documents (each dominant topic and each "
            f"group of {_join(list(facts.get('facets', [])))} represented as far as the "
            "sample size allows) was drawn for hand coding."
        ]
    rows = {row["coder"]: row for row in facts.get("coding_scores") or []}
    if "all coders" in rows:
        pooled = rows["all coders"]
        between = rows.get("between coders", {})
        out.append(
            f"Hand codes agreed with the model's dominant topic in "
            f"{_f(100 * float(pooled['accuracy']), 0)}% of {pooled['n_coded']} codes "
            f"(Cohen's κ {_f(pooled['cohen_kappa'])}"
            + (
                f"; Krippendorff's α between coders {_f(between['krippendorff_alpha'])}"
                if between
                else ""
            )
            + ")."
        )
    else:
        out.append("The hand codes have not been scored yet.")
    return out


def _config_value(cfg: Mapping[str, Any], dotted: str) -> Any:
    node: Any = cfg
    for key in dotted.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def same_as_main_left_out(facts: Mapping[str, Any], cfg: Mapping[str, Any]) -> dict[str, Any]:
    """``facts`` without the sensitivity variants whose every change (``key=value; …``)
    equals the main configuration: they are not variants of this run."""
    import yaml

    out = dict(facts)
    rows = facts.get("sensitivity") or []
    kept = []
    for row in rows:
        changes = [c.strip() for c in str(row.get("change", "")).split(";") if "=" in c]
        same = bool(changes) and all(
            _config_value(cfg, key.strip()) == yaml.safe_load(value.strip())
            for key, value in (c.split("=", 1) for c in changes)
        )
        if not same:
            kept.append(row)
    if rows:
        out["sensitivity"] = kept
    return out


def _kept_shares(
    rows: Sequence[Mapping[str, str]], effects: Sequence[Mapping[str, str]] | None
) -> tuple[int, list[float], list[float]]:
    """Significant comparisons of the adjusted families (differences, effects; never the
    unadjusted trend rows) and the shares that kept their sign and their significance in
    each variant. From ``sensitivity/effects.csv`` when given, else the summary."""
    if effects is None:
        n = int(rows[0]["n_effects"])
        kept = [float(r["share_kept_sign"]) for r in rows]
        return n, kept, [float(r["share_kept_significance"]) for r in rows]
    by_variant: dict[str, list[Mapping[str, str]]] = {r["variant"]: [] for r in rows}
    for row in effects:
        if not row["table"].startswith("trend_by_") and row["variant"] in by_variant:
            by_variant[row["variant"]].append(row)
    n = max((len(v) for v in by_variant.values()), default=0)
    kept = [sum(r["keeps_sign"] == "true" for r in v) / len(v) for v in by_variant.values() if v]
    kept_sig = [
        sum(r["keeps_significance"] == "true" for r in v) / len(v) for v in by_variant.values() if v
    ]
    return n, kept, kept_sig


def _sensitivity_sentences(facts: Mapping[str, Any]) -> list[str]:
    rows = facts.get("sensitivity") or []
    if not rows:
        return []
    names = _join([f"{r['variant']} ({r['change']})" for r in rows])
    sims = [float(r["mean_similarity"]) for r in rows]
    sentence = (
        f"To check robustness to preprocessing (Denny and Spirling 2018), the final model "
        f"(K = {rows[0]['k']}, seed {rows[0]['seed']}) was refitted under {len(rows)} "
        f"preprocessing variant(s): {names}. Matched to the main model's topics (Hungarian "
        "algorithm, 1 − Hellinger distance over the shared vocabulary), the variants' topics "
        f"had a mean similarity of {_f(min(sims))}–{_f(max(sims))}"
    )
    seeds = rows[0].get("main_seed_stability", "")
    sentence += f" (seeds of the main K: {_f(seeds)})." if seeds not in ("", None) else "."
    n_effects, kept, kept_sig = _kept_shares(rows, facts.get("sensitivity_effects"))
    if n_effects:
        sentence += (
            f" Of the {n_effects} comparisons significant after the FDR adjustment in the main "
            "difference and effect tables (the unadjusted trend slopes not counted), "
            f"{_f(100 * min(kept), 0)}–{_f(100 * max(kept), 0)}% kept their sign and "
            f"{_f(100 * min(kept_sig), 0)}–{_f(100 * max(kept_sig), 0)}% their sign and "
            "significance in the variants (sensitivity/effects.csv lists each)."
        )
    return [sentence]


def validation_paragraph(facts: Mapping[str, Any]) -> str:
    """The methods paragraph on validation: what the run drew, and the scores if they exist.

    ``facts`` holds ``word_tasks``, ``topic_tasks``, ``seed``, ``coding_size``, ``facets``,
    the rows of ``tables/intrusion_summary.csv`` (``intrusion_scores``) and
    ``tables/coding_scores.csv`` (``coding_scores``) once coders' sheets were scored, and
    the rows of ``sensitivity/summary.csv`` (``sensitivity``); each is optional.
    """
    sentences = _intrusion_sentences(facts) + _coding_sentences(facts)
    sentences += _sensitivity_sentences(facts)
    return "**Validation.** " + " ".join(sentences) if sentences else ""
