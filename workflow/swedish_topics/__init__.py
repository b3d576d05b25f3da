"""swedish_topics: a reproducible topic-modelling pipeline for Swedish text.

All logic of the Snakemake workflow lives here, importable and tested without Snakemake.
"""

from __future__ import annotations

__version__ = "0.1.0"
