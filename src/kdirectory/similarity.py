"""How alike pages are: word shingles, Jaccard similarity, MinHash with LSH banding, and the
share of a page's text found on no other page (DESIGN.md §8).

Two uses: ``kdirectory check`` reports near-duplicate pages with their similarity, and the
build's uniqueness gate gives ``noindex`` to city pages with too little text of their own.

Shingles are hashed with CRC-32 (not ``hash()``, which changes with the interpreter's hash
seed), so results are the same in every process and every run.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
# Punctuation stripped from both ends of a whitespace-separated token to make a word.
_PUNCTUATION = ".,;:!?()[]{}<>\"'“”‘’«»–—-/|*&#…"
_PLACEHOLDER = 1  # the code that stands for set-aside words (word codes are CRC-32 + 2)

# MinHash: 64 permutations in 16 bands of 4 rows. A pair at Jaccard 0.8 becomes a candidate
# with probability 1 - (1 - 0.8**4)**16 > 0.9999; at 0.5, 0.64 (then discarded by the exact
# check); below 0.3 almost never. Every candidate is verified with the exact Jaccard.
_PERMUTATIONS = 64
_BANDS = 16
_ROWS = _PERMUTATIONS // _BANDS
_MERSENNE = (1 << 61) - 1
_rng = np.random.default_rng(20261122)
# a, b < 2^31 and x < 2^32 keep a*x + b below 2^64, so uint64 arithmetic never wraps.
_A = _rng.integers(1, 1 << 31, size=_PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, 1 << 31, size=_PERMUTATIONS, dtype=np.uint64)
# Word codes (CRC-32, never 0) seen so far in this process, and the base of the window hash.
_WORD_CODES: dict[str, int] = {}
_WINDOW_BASE = np.uint64(1_000_003)
# Below this many pages every pair is compared exactly; MinHash only saves time past it.
EXACT_PAIRS_UP_TO = 400
# A bucket of more pages than this (a site of near-identical pages) is checked against one
# representative per bucket instead of pairwise, so the cost stays linear.
_BUCKET_PAIRWISE_LIMIT = 40


def shingles(
    text: str, size: int = SHINGLE_WORDS, *, set_aside: Iterable[str] = ()
) -> frozenset[int]:
    """The set of hashed ``size``-word shingles of ``text`` (case and punctuation ignored).

    The words of the phrases in ``set_aside`` (a page's own name: its h1) count as one
    placeholder word wherever they occur, a run of them as one, so two pages that differ
    only by their names ("in Escondido" / "in Buena Park") have the same shingles."""
    codes = [code for code in map(_word_code, text.lower().split()) if code]
    aside = {code for phrase in set_aside for code in map(_word_code, phrase.lower().split())}
    aside.discard(0)
    if aside:
        codes = _set_aside(codes, aside)
    if not codes:
        return frozenset()
    array = np.array(codes, dtype=np.uint64)
    if len(array) < size:
        array = np.concatenate([array, np.zeros(size - len(array), dtype=np.uint64)])
    # A polynomial hash of each window of `size` word codes (uint64 arithmetic wraps, the
    # same way on every machine), folded to 32 bits for the MinHash arithmetic.
    count = len(array) - size + 1
    hashed = np.zeros(count, dtype=np.uint64)
    for offset in range(size):
        hashed = hashed * _WINDOW_BASE + array[offset : offset + count]
    folded = (hashed >> np.uint64(32)) ^ (hashed & np.uint64(0xFFFFFFFF))
    return frozenset(folded.tolist())


def _word_code(token: str) -> int:
    """A lower-case token's word code (0 for a token that is only punctuation), cached."""
    code = _WORD_CODES.get(token)
    if code is None:
        if len(_WORD_CODES) > 500_000:
            _WORD_CODES.clear()
        word = token.strip(_PUNCTUATION)
        code = _WORD_CODES[token] = zlib.crc32(word.encode()) + 2 if word else 0
    return code


def _set_aside(codes: list[int], aside: set[int]) -> list[int]:
    kept: list[int] = []
    for code in codes:
        if code not in aside:
            kept.append(code)
        elif not kept or kept[-1] != _PLACEHOLDER:
            kept.append(_PLACEHOLDER)
    return kept


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """|A ∩ B| / |A ∪ B|; two empty sets are not alike (0.0)."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


@dataclass(frozen=True)
class SimilarPair:
    """Two pages whose shingle sets have Jaccard similarity ``similarity`` (0–1)."""

    first: str
    second: str
    similarity: float


def near_duplicates(pages: Mapping[str, frozenset[int]], threshold: float) -> list[SimilarPair]:
    """Pairs of pages at least ``threshold`` alike, most alike first.

    Small sites compare every pair. Larger ones take candidates from MinHash signatures
    that agree on a whole LSH band, and confirm each with the exact Jaccard, so a reported
    similarity is never an estimate.
    """
    names = sorted(name for name, s in pages.items() if s)
    if len(names) <= EXACT_PAIRS_UP_TO:
        candidates: Iterable[tuple[str, str]] = (
            (a, b) for i, a in enumerate(names) for b in names[i + 1 :]
        )
    else:
        candidates = _lsh_candidates(names, pages)
    found = []
    for first, second in candidates:
        similarity = jaccard(pages[first], pages[second])
        if similarity >= threshold:
            found.append(SimilarPair(first, second, similarity))
    return sorted(found, key=lambda p: (-p.similarity, p.first, p.second))


def _signature(values: frozenset[int]) -> np.ndarray:
    x = np.fromiter(values, dtype=np.uint64, count=len(values))
    hashed = (_A[:, None] * x + _B[:, None]) % np.uint64(_MERSENNE)
    signature: np.ndarray = hashed.min(axis=1)
    return signature


def _lsh_candidates(
    names: Sequence[str], pages: Mapping[str, frozenset[int]]
) -> set[tuple[str, str]]:
    buckets: dict[tuple[int, bytes], list[str]] = {}
    for name in names:
        signature = _signature(pages[name])
        for band in range(_BANDS):
            key = (band, signature[band * _ROWS : (band + 1) * _ROWS].tobytes())
            buckets.setdefault(key, []).append(name)
    pairs: set[tuple[str, str]] = set()
    for members in buckets.values():
        if len(members) <= _BUCKET_PAIRWISE_LIMIT:
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
        else:
            first = members[0]
            pairs.update((first, other) for other in members[1:])
    return pairs


def unique_shares(pages: Mapping[str, frozenset[int]]) -> dict[str, float]:
    """For each page, the share of its shingles that appear on no other page given (0–1)."""
    seen = Counter(shingle for s in pages.values() for shingle in s)
    return {
        name: (sum(1 for shingle in s if seen[shingle] == 1) / len(s)) if s else 0.0
        for name, s in pages.items()
    }
