"use strict";
// The topic browser: every string from the corpus is inserted with textContent or as an
// attribute value through the DOM, never as markup.
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const state = { t: D.topics.length ? D.topics[0].id : 0, f: 0, g: null };

  function el(tag, props, ...kids) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "class") node.className = v;
      else if (k === "data") Object.assign(node.dataset, v);
      else if (k === "on") node.addEventListener("click", v);
      else node.setAttribute(k, v);
    }
    for (const kid of kids) {
      if (kid === null || kid === undefined || kid === "") continue;
      node.append(typeof kid === "string" || typeof kid === "number" ? String(kid) : kid);
    }
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }
  const pct = (x) => (x === null || x === undefined ? "–" : (100 * x).toFixed(1) + " %");
  const pp = (x) => {
    if (x === null || x === undefined) return "–";
    const s = (100 * x).toFixed(1);
    return (s === "-0.0" ? "0.0" : (x > 0 && s !== "0.0" ? "+" : "") + s) + " pp";
  };
  const topicById = (id) => D.topics.find((t) => t.id === id);
  const facet = () => D.facets[state.f];

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const t = Number(params.get("topic"));
    if (topicById(t)) state.t = t;
    const f = D.facets.findIndex((x) => x.name === params.get("facet"));
    if (f >= 0) state.f = f;
    state.g = params.get("group");
  }
  function go(changes) {
    Object.assign(state, changes);
    const params = new URLSearchParams();
    params.set("topic", state.t);
    if (facet()) params.set("facet", facet().name);
    if (state.g !== null) params.set("group", state.g);
    history.replaceState(null, "", "#" + params.toString());
    render();
  }

  function renderNav() {
    const nav = document.getElementById("topics");
    nav.replaceChildren();
    for (const t of D.topics) {
      nav.append(
        el("button", { class: t.id === state.t ? "active" : "", data: { topic: t.id }, on: () => go({ t: t.id, g: null }) },
          t.label, " ", el("span", { class: "prev" }, pct(t.prevalence)))
      );
    }
  }

  function wordChips(flat, nSeeds) {
    const box = el("div", { class: "words" });
    for (let i = 0; i < flat.length; i += 3) {
      const held = flat[i + 2];
      const known = held >= 0 && nSeeds > 0;
      const chip = el("span", { class: "word" + (known && held < nSeeds ? " unstable" : ""), title: known ? "holds in " + held + " of " + nSeeds + " other seeds" : "" },
        D.terms[flat[i]], el("small", {}, "z " + flat[i + 1]));
      box.append(chip);
    }
    return box;
  }

  const FLAG_NAMES = { s: "single_doc", f: "few_docs", t: "few_tokens" };
  function flagNote(w) {
    const parts = [];
    if (w[2].includes("s")) parts.push("a single document");
    const th = D.thresholds || {};
    const than = (v, key) => "(fewer than " + (v === undefined ? key : v) + ")";
    if (w[2].includes("f")) parts.push("only " + w[0] + " documents " + than(th.min_group_docs, "min_group_docs"));
    if (w[2].includes("t")) parts.push("only about " + w[1] + " tokens of this topic " + than(th.min_topic_tokens, "content.min_topic_tokens"));
    return parts.join("; ");
  }

  function topicHeader(t) {
    const main = document.getElementById("main");
    main.append(el("h2", {}, t.label));
    main.append(el("p", { class: "muted" }, "Prevalence (mean topic share of the documents): " + pct(t.prevalence) + ". ",
      el("a", { href: "topic_map.html" }, "Open the topic map"), " (topic " + t.id + " there)."));
    const cols = el("div", { class: "cols" });
    const table = el("table", {}, el("tr", {}, el("th", {}, "term"), el("th", { class: "num" }, "weight"), el("th", { class: "num" }, "FREX rank")));
    for (const [term, w, fr] of t.terms.slice(0, 12)) table.append(el("tr", {}, el("td", {}, term), el("td", { class: "num" }, w.toFixed(4)), el("td", { class: "num" }, fr)));
    const div = el("div", {}, el("h4", {}, "Top terms by weight"), table);
    const frex = el("div", {}, el("h4", {}, "FREX (frequent and exclusive)"), el("p", {}, t.frex.join(", ")));
    const dv = el("div", {}, el("h4", {}, "How differently the groups word it"));
    for (const [name, v] of Object.entries(t.divergence)) {
      const [excess, lo, hi] = v;
      const verdict = excess > hi ? "more than chance: worded differently across groups" : "within chance: worded alike";
      dv.append(el("p", {}, name + ": excess divergence " + excess.toFixed(4) + " bits over chance (groups shuffled: chance gives " + lo.toFixed(4) + " to " + hi.toFixed(4) + "), " + verdict + "."));
    }
    if (!Object.keys(t.divergence).length) dv.append(el("p", { class: "muted" }, "not computed"));
    frex.append(dv);
    cols.append(div, frex);
    main.append(cols);
  }

  function intervalSvg(mean, lo, hi, max) {
    const w = 160, s = (x) => 4 + (w - 8) * Math.max(0, x) / (max || 1);
    const g = svg("svg", { width: w, height: 12, role: "img" });
    if (lo !== null && hi !== null) g.append(svg("line", { x1: s(lo), x2: s(hi), y1: 6, y2: 6, stroke: "#456", "stroke-width": 2 }));
    if (mean !== null) g.append(svg("circle", { cx: s(mean), cy: 6, r: 3, fill: "#0072b2" }));
    return g;
  }

  function groupRows(f) {
    const rows = (f.comparison && f.comparison.rows[String(state.t)]) || [];
    const list = rows.map((r) => ({ gi: r[0], name: f.groups[r[0]], r, n: r[11] }));
    if (!f.numeric) list.sort((a, b) => (b.n || 0) - (a.n || 0) || a.name.localeCompare(b.name, "sv"));
    return list;
  }

  // Runs of points to join: consecutive values (no value without documents between them)
  // and, for the band, one kind of interval (a single document's bootstrap over its units
  // is never joined with an interval from documents).
  function runs(pts, step, same) {
    const out = [];
    let cur = [];
    for (const p of pts) {
      const last = cur[cur.length - 1];
      if (last && (p.x - last.x > step * 1.001 || !same(last, p))) { out.push(cur); cur = []; }
      cur.push(p);
    }
    if (cur.length) out.push(cur);
    return out;
  }

  function overTimeSvg(list) {
    const pts = list.filter((x) => !isNaN(Number(x.name))).map((x) => ({ x: Number(x.name), r: x.r, single: (x.r[10] || "").split(";").includes("single_doc") }));
    pts.sort((a, b) => a.x - b.x);
    if (pts.length < 2) return null;
    const W = 640, H = 190, L = 44, B = 22, R = 34;
    const xs = pts.map((p) => p.x), x0 = xs[0], x1 = xs[xs.length - 1];
    let step = Infinity;
    for (let i = 1; i < xs.length; i++) step = Math.min(step, xs[i] - xs[i - 1]);
    const ymax = Math.max(...pts.map((p) => (p.r[3] !== null ? p.r[3] : p.r[1]))) || 1;
    const sx = (x) => L + (W - L - R) * (x - x0) / (x1 - x0 || 1), sy = (y) => H - B - (H - B - 8) * y / ymax;
    const g = svg("svg", { width: W, height: H, role: "img" });
    const withCi = pts.filter((p) => p.r[2] !== null && p.r[3] !== null);
    for (const band of runs(withCi, step, (a, b) => a.single === b.single)) {
      if (band.length > 1 && !band[0].single) {
        const poly = band.map((p) => sx(p.x) + "," + sy(p.r[3])).concat(band.slice().reverse().map((p) => sx(p.x) + "," + sy(p.r[2])));
        g.append(svg("polygon", { points: poly.join(" "), fill: "#56b4e9", opacity: 0.3 }));
      } else {
        for (const p of band) {
          const bar = { x1: sx(p.x), x2: sx(p.x), y1: sy(p.r[2]), y2: sy(p.r[3]), stroke: p.single ? "#999" : "#56b4e9", "stroke-width": 1.5 };
          if (p.single) bar["stroke-dasharray"] = "3 2";
          g.append(svg("line", bar));
        }
      }
    }
    for (const seg of runs(pts, step, () => true)) {
      if (seg.length > 1) g.append(svg("polyline", { points: seg.map((p) => sx(p.x) + "," + sy(p.r[1])).join(" "), fill: "none", stroke: "#0072b2", "stroke-width": 1.5 }));
    }
    for (const p of pts) g.append(svg("circle", { cx: sx(p.x), cy: sy(p.r[1]), r: 2.5, fill: p.r[10] ? "#fff" : "#0072b2", stroke: "#0072b2" }));
    g.append(svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#999" }));
    for (const y of [0, ymax / 2, ymax]) {
      const t = svg("text", { x: 2, y: sy(y) + 3 }); t.textContent = pct(y); g.append(t);
    }
    // ticks at values with documents only (at most about eight of them)
    const every = Math.ceil(xs.length / 8);
    for (let i = 0; i < xs.length; i++) {
      if (i % every !== 0 && i !== xs.length - 1) continue;
      const t = svg("text", { x: sx(xs[i]) - 12, y: H - 6, class: "tick" }); t.textContent = String(xs[i]); g.append(t);
    }
    return g;
  }

  function overTimeNote(list) {
    const xs = list.map((x) => Number(x.name)).filter((x) => !isNaN(x)).sort((a, b) => a - b);
    let step = Infinity;
    for (let i = 1; i < xs.length; i++) step = Math.min(step, xs[i] - xs[i - 1]);
    const gap = xs.some((x, i) => i > 0 && x - xs[i - 1] > step * 1.001);
    const single = list.some((x) => (x.r[10] || "").split(";").includes("single_doc"));
    return "Mean prevalence per value with its interval (band: between documents)" +
      (single ? "; dashed grey: a single document, its interval within that document only, never joined to the band" : "") +
      (gap ? "; the line is broken where a value has no documents" : "") + ".";
  }

  function renderFacet(t) {
    const main = document.getElementById("main");
    const tabs = el("div", { class: "tabs" });
    D.facets.forEach((f, i) => tabs.append(el("button", { class: i === state.f ? "active" : "", data: { facet: f.name }, on: () => go({ f: i, g: null }) }, f.name)));
    main.append(el("h3", {}, "By group"), tabs);
    const f = facet();
    if (!f) return;
    const list = groupRows(f);
    const comp = f.comparison || {};
    const sigWord = comp.q ? "q ≤ FDR" : "interval excludes 0";
    main.append(el("p", { class: "muted" },
      "Prevalence per " + f.name + " with its interval (the comparison tables' estimates and their interval_basis); ▲/▼: more/less than the rest of the corpus (" + sigWord + ")" +
      (comp.robust ? "; robustness across models in the group's panel." : ".") + " Choose a group to read how it words the topic."));
    if (f.numeric) { const chart = overTimeSvg(list); if (chart) main.append(chart, el("p", { class: "muted" }, overTimeNote(list))); }
    if (f.over && f.over[String(t.id)]) main.append(overPanel(f.over[String(t.id)], f));
    const filter = el("input", { type: "search", placeholder: "filter " + f.name + "…", "aria-label": "filter groups" });
    const box = el("div", { class: "groups" });
    const max = Math.max(...list.map((x) => (x.r[3] !== null ? x.r[3] : x.r[1] || 0)), 0.01);
    box.append(el("button", { class: "head", disabled: "" }, el("span", {}, f.name), el("span", {}, "documents"), el("span", {}, "prevalence"), el("span", {}, "vs rest")));
    for (const x of list) {
      const r = x.r, mark = r[7] ? (r[4] > 0 ? "▲ " : "▼ ") : "";
      box.append(el("button", { class: x.name === state.g ? "active" : "", data: { group: x.name }, on: () => go({ g: x.name }) },
        el("span", {}, x.name, r[10] ? el("span", { class: "flag" }, " " + r[10]) : ""),
        el("span", { class: "num" }, x.n === null ? "" : String(x.n)),
        el("span", { title: pct(r[1]) + " [" + pct(r[2]) + ", " + pct(r[3]) + "]" }, intervalSvg(r[1], r[2], r[3], max), " " + pct(r[1])),
        el("span", {}, mark + pp(r[4]))));
    }
    filter.addEventListener("input", () => {
      const q = filter.value.toLocaleLowerCase("sv");
      for (const b of box.querySelectorAll("button[data-group]")) b.hidden = !b.dataset.group.toLocaleLowerCase("sv").includes(q);
    });
    main.append(filter, box);
    if (state.g !== null) main.append(groupPanel(t, f, list.find((x) => x.name === state.g)));
  }

  function overPanel(o, f) {
    const p = el("div", { class: "panel" }, el("h4", {}, "Rise and fall of words, " + (o.period || "")));
    const rise = el("div", { class: "words" }), fall = el("div", { class: "words" });
    for (let i = 0; i < o.rising.length; i += 2) rise.append(el("span", { class: "word rise" }, D.terms[o.rising[i]], el("small", {}, "z " + o.rising[i + 1])));
    for (let i = 0; i < o.falling.length; i += 2) fall.append(el("span", { class: "word fall" }, D.terms[o.falling[i]], el("small", {}, "z " + o.falling[i + 1])));
    p.append(el("div", {}, "Rising: "), rise, el("div", {}, "Falling: "), fall, el("p", { class: "muted" }, (o.note || "") + ". z is descriptive. The leading words of each " + f.name + " are in its panel below."));
    return p;
  }

  function groupPanel(t, f, x) {
    const p = el("div", { class: "panel", id: "group-panel" });
    const name = state.g;
    const gi = f.groups.indexOf(name);
    const w = gi >= 0 && f.words ? (f.words.by_topic[String(t.id)] || {})[gi] : null;
    p.append(el("h3", {}, "How " + name + " words “" + t.label + "”"));
    if (w) {
      p.append(el("p", { class: "muted" }, w[0] + " document(s); about " + w[1] + " tokens of this topic."));
      if (w[2]) p.append(el("div", { class: "warn" }, "Flagged (" + [...w[2]].map((c) => FLAG_NAMES[c]).join(", ") + "): " + flagNote(w) + ". Read these words as description, not as a finding."));
      p.append(el("h4", {}, "Words " + name + " uses more in this topic than the rest of the corpus"), wordChips(w[3], f.words.n_seeds),
        el("p", { class: "muted" }, "z: weighted log-odds with an informative Dirichlet prior (descriptive). Dashed: not among the group's leading words in every other seed's model."));
    } else {
      const n = x && x.n !== null ? x.n + " document(s); " : "";
      p.append(el("p", { class: "muted" }, n + "no distinctive words for this group in this topic (too few of its tokens belong to the topic)."));
    }
    if (f.over && f.over[String(t.id)] && f.over[String(t.id)].leading[name]) {
      p.append(el("h4", {}, "Most used words of the topic in " + name), el("p", {}, f.over[String(t.id)].leading[name].map((i) => D.terms[i]).join(", ")));
    }
    if (x) {
      const r = x.r;
      p.append(el("h4", {}, "Prevalence"), el("p", {}, pct(r[1]) + " [" + pct(r[2]) + ", " + pct(r[3]) + "]; difference to the rest " + pp(r[4]) + " [" + pp(r[5]) + ", " + pp(r[6]) + "]" +
        (r[8] !== null ? "; q = " + r[8] : "") + (r[7] ? " (" + (f.comparison.q ? "significant" : "interval excludes 0") + ")" : "") + (r[9] ? (r[9].startsWith("not tested") ? "; robustness: " + r[9] : "; holds in " + r[9]) : "") + (r[10] ? "; flags: " + r[10] : "") + "."));
    }
    const pas = f.passages ? (f.passages[String(t.id)] || {})[gi] : null;
    p.append(el("h4", {}, "A representative passage of " + name));
    if (pas) {
      p.append(el("blockquote", { class: "passage" }, D.texts[pas[2]]), el("p", { class: "muted" }, "Document: " + pas[0] + "; topic share " + pct(pas[1]) + "."));
    } else {
      p.append(el("p", { class: "muted" }, "No passage of this group holds a large share of the topic."));
    }
    return p;
  }

  function topicPassages(t) {
    const main = document.getElementById("main");
    main.append(el("h3", {}, "Representative passages (whole corpus)"));
    for (const [doc, w, ti] of D.topic_passages[String(t.id)] || []) {
      main.append(el("blockquote", {}, D.texts[ti]), el("p", { class: "muted" }, "Document: " + doc + "; topic share " + pct(w) + "."));
    }
  }

  function render() {
    renderNav();
    const main = document.getElementById("main");
    main.replaceChildren();
    const t = topicById(state.t);
    if (!t) { main.append(el("p", {}, "No topics.")); return; }
    topicHeader(t);
    renderFacet(t);
    topicPassages(t);
    const panel = document.getElementById("group-panel");
    if (panel) panel.scrollIntoView({ block: "nearest" });
  }

  const search = document.getElementById("topic-filter");
  search.addEventListener("input", () => {
    const q = search.value.toLocaleLowerCase("sv");
    for (const b of document.querySelectorAll("#topics button")) b.hidden = !b.textContent.toLocaleLowerCase("sv").includes(q);
  });
  readHash();
  render();
})();
