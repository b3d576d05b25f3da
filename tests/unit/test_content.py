"""Tests of swedish_topics.content: expected counts, weighted log-odds, divergence, time.

Statistics are checked by simulation on planted data: a group that uses a word more
within a topic gets that word on top; groups drawn from one distribution get small z and
a divergence inside its permutation null, however small the groups; a word that only
seems to rise because another stratum wrote later does not rise once stratified.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from gensim.corpora import MmCorpus
from swedish_topics import content
from swedish_topics import io as sio

V = 30
K = 2


def planted_corpus(
    n_docs_per_group: list[int],
    *,
    boost: dict[int, int] | None = None,
    seed: int = 0,
    doc_len: int = 120,
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """Documents of two topics; group g's topic-0 words have word ``boost[g]`` tripled.

    Returns the bag of words, θ (the true proportions), φ (the shared topic-term
    matrix, as a model would estimate it) and each document's group.
    """
    rng = np.random.default_rng(seed)
    phi = np.full((K, V), 1e-3)
    phi[0, :15] = 1.0
    phi[1, 15:] = 1.0
    phi /= phi.sum(axis=1, keepdims=True)
    rows, theta, group = [], [], []
    for g, n in enumerate(n_docs_per_group):
        phi_g = phi.copy()
        if boost and g in boost:
            phi_g[0, boost[g]] *= 3.0
            phi_g[0] /= phi_g[0].sum()
        for _ in range(n):
            th = rng.dirichlet([1.0, 1.0])
            z = rng.choice(K, size=doc_len, p=th)
            words = [rng.choice(V, p=phi_g[k]) for k in z]
            rows.append(np.bincount(words, minlength=V))
            theta.append(th)
            group.append(g)
    return sp.csr_matrix(np.asarray(rows, float)), np.asarray(theta), phi, np.asarray(group)


def groups_of(doc_group: np.ndarray, names: list[str]) -> content.Groups:
    n_docs = np.bincount(doc_group, minlength=len(names))
    pos = np.arange(doc_group.size)
    return content.Groups(names, doc_group, n_docs, pos, doc_group)


CFG = {
    "n_terms": 5,
    "prior_strength": 1.0,
    "min_group_docs": 3,
    "min_topic_tokens": 50,
    "permutations": 99,
    "seed": 7,
    "ci_level": 0.95,
}
VOCAB = [f"w{i}" for i in range(V)]


# ------------------------------------------------------------------- expected counts
def test_expected_counts_split_every_token_between_topics() -> None:
    bow, theta, phi, _ = planted_corpus([5, 5])
    ec = content.ExpectedCounts.build(bow, theta, phi)
    total = sum(ec.topic(k).toarray() for k in range(K))
    np.testing.assert_allclose(total, bow.toarray(), rtol=1e-10)
    assert (ec.topic(0).toarray() >= 0).all()


def test_gensim_and_tomotopy_shaped_inputs_give_the_same_counts(tmp_path: Path) -> None:
    """tomotopy stores θ as float32; gensim's corpus.mm may omit trailing unused terms."""
    bow, theta, phi, _ = planted_corpus([4, 4])
    dense = bow.toarray()
    dense[:, -1] = 0  # the last term occurs nowhere: a MatrixMarket file has fewer columns
    phi_model = phi.copy()
    path = tmp_path / "corpus.mm"
    docs = [[(int(w), float(c)) for w, c in enumerate(row) if c] for row in dense]
    MmCorpus.serialize(str(path), docs)  # as the workflow writes it: header from the data
    read = content.read_bow(path, V)
    assert read.shape == (dense.shape[0], V)
    a = content.ExpectedCounts.build(read, theta.astype(np.float32), phi_model)
    b = content.ExpectedCounts.build(sp.csr_matrix(dense), theta.astype(np.float64), phi_model)
    np.testing.assert_allclose(a.topic(0).toarray(), b.topic(0).toarray(), rtol=1e-6)


def test_theta_of_another_run_is_refused() -> None:
    bow, theta, phi, _ = planted_corpus([3, 3])
    with pytest.raises(Exception, match="different runs"):
        content.ExpectedCounts.build(bow, theta[:-1], phi)


# ------------------------------------------------------------------------ log-odds
def test_planted_word_leads_its_group_and_only_its_group() -> None:
    bow, theta, phi, group = planted_corpus([40, 40, 40], boost={1: 3}, seed=1)
    ec = content.ExpectedCounts.build(bow, theta, phi)
    counts = (content.group_indicator(group, 3) @ ec.topic(0)).toarray()
    lo = content.weighted_log_odds(counts)
    assert int(np.nanargmax(lo.z[1])) == 3
    assert lo.z[1, 3] > 3
    assert lo.z[0, 3] < 0 and lo.z[2, 3] < 0
    # in the other topic the word is not the group's
    counts1 = (content.group_indicator(group, 3) @ ec.topic(1)).toarray()
    assert int(np.nanargmax(content.weighted_log_odds(counts1).z[1])) != 3


def test_groups_of_one_distribution_get_small_z() -> None:
    """Under the null, |z| stays small across 40 simulated corpora (calibration)."""
    worst = []
    for seed in range(40):
        bow, theta, phi, group = planted_corpus([15, 15], seed=100 + seed, doc_len=80)
        ec = content.ExpectedCounts.build(bow, theta, phi)
        counts = (content.group_indicator(group, 2) @ ec.topic(0)).toarray()
        z = content.weighted_log_odds(counts).z[:, :15]
        worst.append(np.nanmax(np.abs(z)))
    # 15 words x 2 groups: with z ~ N(0, 1) the max |z| exceeds 3.5 rarely; shrinkage
    # by the prior keeps it lower still.
    assert np.mean(np.asarray(worst) > 3.5) <= 0.05


def test_symmetric_counts_give_zero_and_unused_words_nan() -> None:
    counts = np.array([[5.0, 3.0, 0.0], [10.0, 6.0, 0.0]])
    lo = content.weighted_log_odds(counts)
    np.testing.assert_allclose(lo.z[:, :2], 0.0, atol=1e-12)
    assert np.isnan(lo.z[:, 2]).all()


# ----------------------------------------------------------------------- divergence
def _divergence(sizes: list[int], boost: dict[int, int] | None, seed: int) -> dict[str, float]:
    bow, theta, phi, group = planted_corpus(sizes, boost=boost, seed=seed, doc_len=80)
    ec = content.ExpectedCounts.build(bow, theta, phi)
    docs = ec.topic(0)
    return content.divergence_with_null(
        docs, group, len(sizes), n_permutations=99, rng=np.random.default_rng(seed)
    )


def test_divergence_of_small_groups_is_raw_large_but_no_excess() -> None:
    """Many groups of 2 documents: the raw divergence is large by chance alone, the
    excess over the permutation null is inside the null's interval (in >= 90 % of runs)."""
    inside, raw = [], []
    for seed in range(20):
        d = _divergence([2] * 20, None, seed)
        raw.append(d["observed"])
        inside.append(d["null_low"] <= d["excess"] <= d["null_high"])
    big = _divergence([20, 20], None, 0)["observed"]
    assert np.mean(raw) > 3 * big  # the raw divergence grows as groups shrink
    assert np.mean(inside) >= 0.85


def test_planted_difference_gives_excess_above_the_null() -> None:
    d = _divergence([30, 30, 30], {0: 1, 1: 5, 2: 9}, 3)
    assert d["excess"] > d["null_high"]
    assert d["p_value"] <= 0.02


def test_js_divergence_bounds() -> None:
    assert content.js_divergence(np.array([[1.0, 0.0], [0.0, 1.0]])) == pytest.approx(1.0)
    assert content.js_divergence(np.array([[3.0, 1.0], [6.0, 2.0]])) == pytest.approx(0.0)
    assert content.js_divergence(np.array([[3.0, 1.0]])) == 0.0


# ------------------------------------------------------------------ words and seeds
def test_words_table_flags_small_groups_and_carries_document_counts() -> None:
    bow, theta, phi, group = planted_corpus([40, 2, 1], boost={0: 3}, seed=4)
    groups = groups_of(group, ["Umeå", "Vellinge", "Vännäs"])
    ec = content.ExpectedCounts.build(bow, theta, phi)
    words, div = content.words_and_divergence(ec, groups, VOCAB, facet="kommun", cfg=CFG)
    assert [d["topic"] for d in div] == [1, 2]
    by_group = {}
    for row in words.rows:
        by_group.setdefault((row["topic"], row["kommun"]), []).append(row)
    assert by_group[(1, "Umeå")][0]["term"] == "w3"
    assert all(r["n_docs"] == 40 and r["flag"] == "" for r in by_group[(1, "Umeå")])
    assert all("few_docs" in r["flag"] for r in by_group[(1, "Vellinge")])
    assert all("single_doc" in r["flag"] for r in by_group[(1, "Vännäs")])
    assert all("not a finding" in r["note"] for r in by_group[(1, "Vännäs")])


def test_leading_words_hold_in_a_relabelled_copy_of_the_model() -> None:
    bow, theta, phi, group = planted_corpus([30, 30], boost={0: 3}, seed=5)
    groups = groups_of(group, ["A", "B"])
    ec = content.ExpectedCounts.build(bow, theta, phi)
    words, _ = content.words_and_divergence(ec, groups, VOCAB, facet="f", cfg=CFG)
    swapped = content.ExpectedCounts.build(bow, theta[:, ::-1].copy(), phi[::-1].copy())
    held = content.seed_agreement(
        words, [(swapped, np.array([1, 0]))], groups, prior_strength=1.0, depth=10
    )
    assert all(all(c == 1 for c in counts) for counts in held.values())
    # matched wrongly (topic 0 to topic 0 of the swapped model), words do not hold
    wrong = content.seed_agreement(
        words, [(swapped, np.array([0, 1]))], groups, prior_strength=1.0, depth=5
    )
    assert sum(sum(c) for c in wrong.values()) < sum(sum(c) for c in held.values())


# ------------------------------------------------------------------------- passages
def test_passages_come_from_the_group_and_carry_the_topic() -> None:
    theta = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.1, 0.9], [0.95, 0.05]])
    unit_group = np.array([0, 0, 1, 1, 2])
    docs = ["a", "b", "c", "d", "e"]
    chosen = content.passages_by_group(
        theta, docs, unit_group, 3, n_passages=2, min_weight=0.5, unit_n_tokens=[50] * 5
    )
    assert chosen[(0, 0)] == [0]
    assert chosen[(1, 0)] == [1]
    assert chosen[(0, 1)] == [2] and chosen[(1, 1)] == [3]
    assert (1, 2) not in chosen  # group 2 never carries topic 2 at 0.5


# ------------------------------------------------------------------------ over time
def test_stratified_shift_removes_a_rise_made_by_who_wrote_when() -> None:
    """Stratum B uses word 0 more than A and writes mostly late; within each stratum
    nothing changes. Marginally word 0 'rises'; stratified it does not."""
    rng = np.random.default_rng(11)
    p_a = np.full(V, 1.0)
    p_b = p_a.copy()
    p_b[0] = 8.0
    p_a, p_b = p_a / p_a.sum(), p_b / p_b.sum()
    early = np.vstack([rng.multinomial(4000, p_a), rng.multinomial(400, p_b)]).astype(float)
    late = np.vstack([rng.multinomial(400, p_a), rng.multinomial(4000, p_b)]).astype(float)
    marginal = content.pooled_shift(
        early.sum(axis=0, keepdims=True), late.sum(axis=0, keepdims=True)
    )
    stratified = content.pooled_shift(early, late)
    assert marginal.z[0] > 5
    assert abs(stratified.z[0]) < 2.5
    assert stratified.n_strata == 2


def test_a_real_rise_within_strata_is_found() -> None:
    rng = np.random.default_rng(12)
    p = np.full(V, 1.0) / V
    q = p.copy()
    q[4] *= 3
    q /= q.sum()
    early = np.vstack([rng.multinomial(3000, p), rng.multinomial(3000, p)]).astype(float)
    late = np.vstack([rng.multinomial(3000, q), rng.multinomial(3000, q)]).astype(float)
    shift = content.pooled_shift(early, late)
    assert int(np.nanargmax(shift.z)) == 4 and shift.z[4] > 5


def test_split_period_and_over_time_rows() -> None:
    assert content.split_period([2018, 2018, 2019, 2021]) == 2018.0
    assert content.split_period([2020, 2021, 2021, 2021]) == 2020.0
    bow, theta, phi, group = planted_corpus([10, 10], seed=6)
    ec = content.ExpectedCounts.build(bow, theta, phi)
    values = np.where(group == 0, 2018.0, 2021.0)
    rows = content.over_time_rows(
        ec,
        VOCAB,
        facet="year",
        unit_value=values,
        unit_stratum=np.zeros(values.size, dtype=np.int64),
        n_strata=1,
        value_docs={2018.0: 10, 2021.0: 10},
        cfg={**CFG, "strata_note": "marginal"},
    )
    kinds = {r["kind"] for r in rows}
    assert kinds == {"leading", "rising", "falling"}
    assert {r["year"] for r in rows if r["kind"] == "leading"} == {"2018", "2021"}
    assert {r["year"] for r in rows if r["kind"] != "leading"} == {"2018 → 2021"}
    assert all(r["note"] == "marginal" for r in rows if r["kind"] != "leading")


def test_stratified_note_names_the_groups_that_wrote_in_both_halves() -> None:
    """The browser printed the literal "n_strata groups wrote in both halves"."""
    from swedish_topics.pipeline.content import _strata_note

    bow, theta, phi, group = planted_corpus([10, 10, 10, 10], seed=6)
    ec = content.ExpectedCounts.build(bow, theta, phi)
    values = np.where(group % 2 == 0, 2018.0, 2021.0)
    stratum = (group // 2).astype(np.int64)
    stratum[group == 3] = 2  # municipality 0 wrote in both halves, 1 only early, 2 only late
    rows = content.over_time_rows(
        ec,
        VOCAB,
        facet="year",
        unit_value=values,
        unit_stratum=stratum,
        n_strata=3,
        value_docs={2018.0: 20, 2021.0: 20},
        cfg={**CFG, "strata_note": _strata_note(["municipality"], 3)},
    )
    notes = {r["note"] for r in rows if r["kind"] != "leading"}
    assert notes == {
        "stratified: compared within each of 3 groups of municipality and pooled; 1 of them "
        "wrote in both halves"
    }


# -------------------------------------------------------------------------- tables
def test_divergence_columns_are_added_to_topics_csv(tmp_path: Path) -> None:
    topics = tmp_path / "topics.csv"
    rows = [
        {"topic": t, "label": f"t{t}", "top_terms": "a", "frex_terms": "a", "prevalence": 0.5}
        for t in (1, 2)
    ]
    div = tmp_path / "divergence_by_kommun.csv"
    content.write_divergence(
        div,
        [
            {
                "topic": t,
                "observed": 0.3,
                "null_mean": 0.1,
                "excess": 0.2,
                "null_low": -0.05,
                "null_high": 0.04,
                "p_value": 0.01,
            }
            for t in (1, 2)
        ],
    )
    content.add_divergence_columns(topics, rows, [div])
    out = sio.read_csv(topics)
    assert list(out[0])[:6] == [
        "topic",
        "label",
        "top_terms",
        "frex_terms",
        "prevalence",
        "coherence_npmi",
    ]
    assert out[0]["wording_divergence_kommun"] == "0.2"
    assert out[1]["wording_divergence_kommun_null_high"] == "0.04"


def test_a_group_without_tokens_of_a_topic_lists_no_words() -> None:
    bow, theta, phi, group = planted_corpus([20, 20], seed=8)
    theta = np.vstack([theta, [0.0, 1.0]])  # one more document, all in topic 2
    bow = sp.vstack([bow, sp.csr_matrix(np.ones((1, V)))]).tocsr()
    group = np.append(group, 2)
    ec = content.ExpectedCounts.build(bow, theta, phi)
    words, _ = content.words_and_divergence(
        ec, groups_of(group, ["A", "B", "Solo"]), VOCAB, facet="f", cfg=CFG
    )
    assert not [r for r in words.rows if r["f"] == "Solo" and r["topic"] == 1]
    assert [r for r in words.rows if r["f"] == "Solo" and r["topic"] == 2]


# -------------------------------------------------------------------------- figures
def test_content_figures_draw_the_largest_groups_with_their_counts(tmp_path: Path) -> None:
    import warnings

    from matplotlib.text import Text
    from swedish_topics import figures
    from swedish_topics.figures import _style

    topics = tmp_path / "topics.csv"
    sio.write_csv(
        topics,
        [{"topic": t, "label": f"tema {t} · skola", "prevalence": 0.1 * t} for t in (1, 2, 3)],
        ["topic", "label", "prevalence"],
    )
    rows = []
    for t in (1, 2, 3):
        for g, n in (("Umeå", 40), ("Åre", 2), ("Liten", 1)):
            for r in range(1, 4):
                flag = "few_docs" if n < 3 else ""
                rows.append(
                    {
                        "topic": t,
                        "kommun": g,
                        "rank": r,
                        "term": f"ord{r}",
                        "z": 3.0 / r,
                        "n_docs": n,
                        "flag": flag + (";not_in_all_seeds" if r == 2 else ""),
                    }
                )
    words = tmp_path / "topic_terms_by_kommun.csv"
    sio.write_csv(words, rows, ["topic", "kommun", "rank", "term", "z", "n_docs", "flag"])
    seen: list[str] = []
    original = _style._save

    def spy(fig, stem, **kw):  # type: ignore[no-untyped-def]
        seen.extend(t.get_text() for t in fig.findobj(Text))
        seen.append(kw.get("footnote", ""))
        return original(fig, stem, **kw)

    import swedish_topics.figures.content as fc

    fc._save = spy  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = figures.plot_topic_words_by_group(
                words, topics, "kommun", tmp_path / "w", n_topics=2, n_groups=2
            )
    finally:
        fc._save = original  # type: ignore[assignment]
    assert all(p.stat().st_size > 0 for p in out)
    text = "\n".join(seen)
    # groups of one or few documents are not drawn as grey panels: they are left out
    assert "Umeå (n = 40)" in text and "Åre" not in text and "Liten" not in text
    assert "tema 3" in text and "tema 1" not in text  # the most prevalent topics
    assert text.index("tema 2") < text.index("tema 3")  # in topic order, as every output
    assert "2 of 3 groups" in text and "left out" in text and "Hatched" in text
    # every group flagged (the shipped corpus by municipality): a notice, no grey grid
    flagged = [r | {"flag": "single_doc"} for r in rows if r["kommun"] != "Umeå"]
    sio.write_csv(words, flagged, ["topic", "kommun", "rank", "term", "z", "n_docs", "flag"])
    out = figures.plot_topic_words_by_group(words, topics, "kommun", tmp_path / "none")
    assert figures.is_notice(out[1])


def test_leading_terms_equal_a_stable_full_sort() -> None:
    rng = np.random.default_rng(0)
    for _ in range(100):
        z = rng.integers(-3, 4, size=(4, 30)).astype(float)
        z[rng.random(z.shape) < 0.2] = np.nan
        n = int(rng.integers(1, 35))
        ref = np.argsort(-np.where(np.isfinite(z), z, -np.inf), axis=1, kind="stable")[:, :n]
        np.testing.assert_array_equal(content.leading_terms(z, n), ref)


def test_words_over_time_figure_draws_topics_in_topic_order(tmp_path: Path) -> None:
    """Topic 3 is the most prevalent: it is still drawn after topics 1 and 2."""
    from swedish_topics import figures
    from swedish_topics.figures import _style

    topics = tmp_path / "topics.csv"
    prevalence = {1: 0.2, 2: 0.1, 3: 0.7}
    sio.write_csv(
        topics,
        [{"topic": t, "label": f"tema {t}", "prevalence": p} for t, p in prevalence.items()],
        ["topic", "label", "prevalence"],
    )
    rows = [
        {"topic": t, "kind": kind, "year": "2018 → 2021", "term": f"ord{t}", "z": z,
         "n_strata": 1, "note": "marginal"}
        for t in (1, 2, 3)
        for kind, z in (("rising", 2.0), ("falling", -2.0))
    ]  # fmt: skip
    over = tmp_path / "topic_terms_over_year.csv"
    sio.write_csv(over, rows, ["topic", "kind", "year", "term", "z", "n_strata", "note"])
    seen = []
    original = _style._save

    def spy(fig, stem, **kw):  # type: ignore[no-untyped-def]
        seen.extend(ax.get_title(loc="left") for ax in fig.axes)
        return original(fig, stem, **kw)

    import swedish_topics.figures.content as fc

    fc._save = spy  # type: ignore[assignment]
    try:
        figures.plot_topic_words_over(over, topics, "year", tmp_path / "over", n_topics=3)
    finally:
        fc._save = original  # type: ignore[assignment]
    assert [t.split(".")[0] for t in seen] == ["1", "2", "3"]
