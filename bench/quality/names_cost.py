"""CPU seconds of one Riksdag shard and of build_corpus, person-name filter on and off.

Issue 16; needs the shards of a Riksdag run in /tmp/i16_rkfull. Run from the repository
root: ``PYTHONPATH=workflow python bench/quality/names_cost.py``.
"""

import copy
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, "workflow")
sys.path.insert(0, "bench")
from common import workflow_config
from swedish_topics import pipeline
from swedish_topics.bagofwords import build_corpus
from swedish_topics.corpus import iter_documents
from swedish_topics.preprocess import preprocess_shard

cfg = workflow_config(
    Path("bench/riksdag.yaml"), corpus="../shared/corpora/riksdag_interpellationer"
)
res = Path("/tmp/i16_rkfull")
val = json.loads((res / "interim/validation.json").read_text())
ids = pipeline.shard_doc_ids(val["doc_ids"], 0, 2, sizes=val.get("text_sizes"))
facets = pipeline.facet_stopword_values(cfg, val)
out = Path("/tmp/i16_cost")
out.mkdir(exist_ok=True)
for mode in ("none", "persons", "none", "persons"):
    pre = copy.deepcopy(cfg["preprocess"])
    pre["names"]["remove"] = mode
    t = time.process_time()
    preprocess_shard(
        iter_documents(Path(cfg["corpus"]), ids),
        config=pre,
        facet_values=facets,
        out_units=out / f"{mode}.jsonl",
        out_counts=out / f"{mode}.counts.json",
    )
    shard = time.process_time() - t
    shards = sorted((res / "interim/shards").glob("*.jsonl"))
    counts = [p.with_suffix("").with_suffix(".counts.json") for p in shards]
    t = time.process_time()
    build_corpus(shards, counts, config=pre, out_dir=out / mode, tables_dir=out / mode)
    print(
        mode,
        "shard 0 CPU s",
        round(shard, 2),
        "build_corpus CPU s",
        round(time.process_time() - t, 2),
        flush=True,
    )
