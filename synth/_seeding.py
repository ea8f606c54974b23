"""Per-sample seeds: ``(run seed, domain, index)`` -> an independent random stream.

Seeds never depend on worker count, scheduling or back-end: a sample's seed is a pure
function of the run seed, its domain name and its global index.
"""

from __future__ import annotations

import hashlib

import numpy as np


def name_key(name: str) -> int:
    """A stable 32-bit integer for a string (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


def sample_seed(run_seed: int, domain: str, index: int) -> int:
    """The per-sample seed (a 63-bit int) of sample ``index`` of ``domain`` in a run."""
    seq = np.random.SeedSequence([run_seed, name_key(domain), index])
    return int(seq.generate_state(1, dtype=np.uint64)[0]) >> 1


def sample_rng(seed: int) -> np.random.Generator:
    """The generator every sampling function of one sample draws from."""
    return np.random.default_rng(np.random.SeedSequence(seed))


def pick_domain(run_seed: int, index: int, domains: tuple[str, ...], mix: tuple[float, ...]) -> str:
    """Which domain sample ``index`` belongs to, for a weighted mix of domains."""
    if len(domains) == 1:
        return domains[0]
    u = np.random.default_rng(
        np.random.SeedSequence([run_seed, name_key("__mix__"), index])
    ).random()
    cumulative = np.cumsum(np.asarray(mix, dtype=float) / float(sum(mix)))
    return domains[int(np.searchsorted(cumulative, u, side="right").clip(0, len(domains) - 1))]
