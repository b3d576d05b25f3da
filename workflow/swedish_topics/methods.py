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
) -> str:
    """Compose the methods section (Markdown) from the run's outputs.

    ``validation_facts`` (from :func:`swedish_topics.pipeline.validation.validation_facts`)
    adds a paragraph on the validations the run supports (:func:`validation_paragraph`).
    """
    packages = provenance.get("packages", {})
    paras = [
        _corpus_paragraph(cfg, validation, summary, packages),
        _models_paragraph(cfg, metrics, stability, choice, packages),
        comparisons_paragraph(cfg),
    ]
    small = _small_groups_paragraph(prevalence, cfg["min_group_docs"])
    if small:
        paras.append(small)
    if "content" in cfg:
        paras.append(content_sentences(cfg))  # issue 15: how groups word each topic
    if validation_facts:
        text = validation_paragraph(validation_facts)
        if text:
            paras.append(text)
    labels = "; ".join(t["label"] for t in topics)
    paras.append(f"**Topics of the final model.** {labels}.")
    paras.append(_reproducibility_paragraph(provenance))
    return "# Methods\n\n" + "\n\n".join(paras) + "\n"


def _corpus_paragraph(
    cfg: Mapping[str, Any],
    validation: Mapping[str, Any],
    summary: Sequence[Mapping[str, str]],
    packages: Mapping[str, str],
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
        unit_text = "whole documents"

    clean_bits = [
        "removed page furniture (bylines, dates, newsletter blurbs and similar "
        "lines matched by configurable patterns)"
    ]
    if pre["clean"]["drop_repeated_paragraphs"]:
        clean_bits.append("dropped paragraphs repeated within a document")
    if pre["clean"]["drop_caption_lead"]:
        clean_bits.append("dropped photo captions repeated as the lead")
    if pre["clean"]["join_hyphenation"]:
        clean_bits.append("joined words hyphenated across line breaks")

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
        + f". The unit of analysis was {unit_text}, giving {_fmt_int(n_units)} units. Texts "
        "were tokenised into lower-case words of letters, with numbers, punctuation, URLs "
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
            else f"The final model was chosen by a pre-specified rule: {choice['reason']}"
        )
        + (
            ""
            if stab_passing or choice.get("pinned")
            else " No K reached the stability threshold, so the choice is weakly supported."
        )
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


def _interval_words(acfg: Mapping[str, Any]) -> str:
    """How the intervals of prevalence and differences are built (methods.md)."""
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
            "wrong place. The p-value of a difference is the score test at Δ = 0, so an "
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


def comparisons_paragraph(cfg: Mapping[str, Any]) -> str:
    """The comparisons: estimands, model, uncertainty sources, multiplicity, pooling,
    robustness and the coverage measured by the calibration study (quoted from
    ``studies/calibration/results.csv``)."""
    from swedish_topics.analysis.calibration import calibration_sentence, read_calibration
    from swedish_topics.analysis.multiplicity import methods_sentence

    acfg = cfg["analysis"]
    formula = (acfg.get("effects") or {}).get("formula") or " + ".join(cfg["facets"])
    interval = _interval_words(acfg)
    text = (
        "**Comparisons.** Each document's topic proportions are the token-weighted means of "
        "its units' proportions. Three estimands are reported. *Prevalence* of a topic in a "
        "group: the mean topic proportion of the population of documents the group's "
        "documents come from (marginal: not adjusted for other facets). *Group − rest*: that "
        "prevalence minus the document-weighted prevalence of all other documents. "
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
        + "Intervals of prevalence and differences are "
        + interval
        + methods_sentence(acfg)
        + " Figures show only significant effects as evidence. Beside each raw group mean, the "
        "prevalence tables give a partially pooled (empirical-Bayes, DerSimonian–Laird) "
        "estimate that pulls groups with few documents towards the average. Robustness: every"
        " difference and effect was recomputed in the other seeds of the chosen K (topics "
        "matched one to one by the Hungarian algorithm) and in the neighbouring K of the grid"
        " (topics matched to sums of topics), and holds_in counts the models in which it has "
        "the same sign and q ≤ the FDR level."
        + (
            f" The trend tables (trend_by_{cfg['numeric_facets'][0]}, …) give the unadjusted "
            "least-squares slope with a percentile bootstrap interval over documents."
            if cfg["numeric_facets"]
            else ""
        )
    )
    quote = calibration_sentence(read_calibration(), acfg)
    return text + (" " + quote if quote else "")


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
        out.append(
            "[Intrusion results: not yet scored; score the coders' sheets with `python -m "
            "swedish_topics.coding score-intrusion` and rerun the methods rule.]"
        )
    return out


def _coding_sentences(facts: Mapping[str, Any]) -> list[str]:
    if facts.get("coding_size") is None:
        return []
    out = [
        f"A stratified random sample of {facts['coding_size']} documents (each dominant topic "
        f"and each group of {_join(list(facts.get('facets', [])))} represented as far as "
        "the sample size allows) was drawn for hand coding."
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
        out.append(
            "[Hand-coding results: not yet scored; score the sheets with `python -m "
            "swedish_topics.coding score-coding` and rerun the methods rule.]"
        )
    return out


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
    n_effects = int(rows[0]["n_effects"])
    if n_effects:
        kept = [float(r["share_kept_sign"]) for r in rows]
        kept_sig = [float(r["share_kept_significance"]) for r in rows]
        sentence += (
            f" Of the {n_effects} effects significant in the main tables, "
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
