"""How alike pages are: word shingles, Jaccard similarity, MinHash with LSH banding, and the
share of a page's text found on no other page.

Two uses: ``kdirectory check`` reports near-duplicate pages with their similarity, and the
build's uniqueness gate gives ``noindex`` to city pages with too little text of their own.

Shingles are hashed with CRC-32 (not ``hash()``, which changes with the interpreter's hash
seed), so results are the same in every process and every run. A page's shingles are kept
either as a set of ints or, compactly (4 bytes a shingle rather than about 60), as a sorted
``uint32`` array of the same values (:func:`shingle_array`); every function here takes both.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
# Punctuation stripped from both ends of a whitespace-separated token to make a word.
_PUNCTUATION = ".,;:!?()[]{}<>\"'“”‘’«»–—-/|*&#…"
_PLACEHOLDER = 1  # the code that stands for set-aside words (word codes are CRC-32 + 2)

# MinHash: 128 hash functions, split into bands of rows chosen for the threshold asked for
# (see _banding): a pair exactly at the threshold becomes a candidate with probability at
# least 0.999, pairs far below it rarely do. Every candidate is verified with the exact
# Jaccard, so a reported similarity is never an estimate.
_PERMUTATIONS = 128
_RECALL_AT_THRESHOLD = 0.999
_rng = np.random.default_rng(20261129)
# Multiply-shift hashing of the 32-bit shingle values: (a*x + b) mod 2^64, top 32 bits, with
# a odd (uint64 arithmetic wraps, the same way on every machine).
_A = _rng.integers(0, 1 << 63, size=_PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 1 << 63, size=_PERMUTATIONS, dtype=np.uint64)
# Word codes (CRC-32, never 0) seen so far in this process, and the base of the window hash.
_WORD_CODES: dict[str, int] = {}
_WINDOW_BASE = np.uint64(1_000_003)
# Below this many pages every pair is compared exactly; MinHash only saves time past it.
EXACT_PAIRS_UP_TO = 400
# A bucket of more pages than this (a site of near-identical pages) is checked against one
# representative per bucket instead of pairwise, so the cost stays linear.
_BUCKET_PAIRWISE_LIMIT = 40


Shingles = frozenset[int] | np.ndarray
"""A page's shingles: a set, or the same values as a sorted, duplicate-free ``uint32`` array."""


def shingles(
    text: str, size: int = SHINGLE_WORDS, *, set_aside: Iterable[str] = ()
) -> frozenset[int]:
    """The set of hashed ``size``-word shingles of ``text`` (case and punctuation ignored).

    The words of the phrases in ``set_aside`` (a page's own name: its h1) count as one
    placeholder word wherever they occur, a run of them as one, so two pages that differ
    only by their names ("in Escondido" / "in Buena Park") have the same shingles."""
    return frozenset(shingle_array(text, size, set_aside=set_aside).tolist())


def shingle_array(
    text: str, size: int = SHINGLE_WORDS, *, set_aside: Iterable[str] = ()
) -> np.ndarray:
    """The shingles of :func:`shingles`, as a sorted ``uint32`` array without duplicates."""
    codes = _word_codes(text.lower().split())
    aside = {code for phrase in set_aside for code in _word_codes(phrase.lower().split())}
    if aside:
        codes = _set_aside(codes, aside)
    if not codes:
        return np.zeros(0, dtype=np.uint32)
    array = np.array(codes, dtype=np.uint64)
    if len(array) < size:
        array = np.concatenate([array, np.zeros(size - len(array), dtype=np.uint64)])
    # A polynomial hash of each window of `size` word codes (uint64 arithmetic wraps, the
    # same way on every machine), folded to 32 bits for the MinHash arithmetic.
    count = len(array) - size + 1
    hashed = np.zeros(count, dtype=np.uint64)
    for offset in range(size):
        hashed = hashed * _WINDOW_BASE + array[offset : offset + count]
    folded = ((hashed >> np.uint64(32)) ^ (hashed & np.uint64(0xFFFFFFFF))).astype(np.uint32)
    folded.sort()  # then without duplicates: np.unique's hashing is slower on a page's few
    compact: np.ndarray = folded[np.r_[True, folded[1:] != folded[:-1]]]
    return compact


def _word_codes(tokens: list[str]) -> list[int]:
    """The word codes of lower-case tokens, leaving out tokens that are only punctuation.
    Codes are cached by token: most words of a page were seen on the pages before it."""
    codes = list(map(_WORD_CODES.get, tokens))
    if None in codes:
        if len(_WORD_CODES) > 500_000:
            _WORD_CODES.clear()
        for token in tokens:
            if token not in _WORD_CODES:
                word = token.strip(_PUNCTUATION)
                _WORD_CODES[token] = zlib.crc32(word.encode()) + 2 if word else 0
        codes = list(map(_WORD_CODES.__getitem__, tokens))
    return [code for code in codes if code]


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


def _as_set(values: Shingles) -> frozenset[int]:
    return frozenset(values.tolist()) if isinstance(values, np.ndarray) else values


@dataclass(frozen=True)
class SimilarPair:
    """Two pages whose shingle sets have Jaccard similarity ``similarity`` (0–1)."""

    first: str
    second: str
    similarity: float


def near_duplicates(
    pages: Mapping[str, Shingles],
    threshold: float,
    signatures: Mapping[str, np.ndarray] | None = None,
) -> list[SimilarPair]:
    """Pairs of pages at least ``threshold`` alike, most alike first.

    Small sites compare every pair. Larger ones take candidates from MinHash signatures
    that agree on a whole LSH band, and confirm each with the exact Jaccard, so a reported
    similarity is never an estimate. ``signatures`` (from :func:`signature`) may be given
    for some or all pages, computed where the shingles were; the others are computed here.
    """
    names = sorted(name for name, s in pages.items() if len(s))
    scored: Iterable[tuple[tuple[str, str], float]]
    if len(names) <= EXACT_PAIRS_UP_TO:
        # Every pair of a few hundred pages: sets once each beat arrays pair by pair.
        sets = {name: _as_set(pages[name]) for name in names}
        scored = (
            ((a, b), jaccard(sets[a], sets[b])) for i, a in enumerate(names) for b in names[i + 1 :]
        )
    else:
        given = signatures or {}
        matrix = np.stack([given[n] if n in given else signature(pages[n]) for n in names])
        scored = _alike_pairs(pages, _lsh_candidates(names, matrix, threshold), threshold)
    found = [
        SimilarPair(first, second, similarity)
        for (first, second), similarity in scored
        if similarity >= threshold
    ]
    return sorted(found, key=lambda p: (-p.similarity, p.first, p.second))


def _alike_pairs(
    pages: Mapping[str, Shingles], pairs: Iterable[tuple[str, str]], at_least: float
) -> Iterator[tuple[tuple[str, str], float]]:
    """The Jaccard similarity of each pair of pages (none without shingles) that their
    sizes alone do not keep below ``at_least`` (|A ∩ B| / |A ∪ B| <= min / max size)."""
    for first, second in pairs:
        a, b = _as_array(pages[first]), _as_array(pages[second])
        if min(len(a), len(b)) / max(len(a), len(b)) < at_least:
            continue
        both = np.concatenate((a, b))
        both.sort()  # a value in both is then next to itself
        common = int(np.count_nonzero(both[1:] == both[:-1]))
        yield (first, second), common / (len(a) + len(b) - common)


def _as_array(values: Shingles) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values
    return np.array(sorted(values), dtype=np.uint32)


def signature(values: Shingles) -> np.ndarray:
    """The MinHash signature of a page's shingles: the least hash of each hash function."""
    if not len(values):
        return np.full(_PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint32)
    if isinstance(values, np.ndarray):
        x = values.astype(np.uint64)
    else:
        x = np.fromiter(values, dtype=np.uint64, count=len(values))
    # The top 32 bits of the least hash are the least of the hashes' top 32 bits, so one
    # shift of the minima replaces a shift of every hash.
    hashed = np.multiply.outer(_A, x)
    hashed += _B[:, None]
    least: np.ndarray = (hashed.min(axis=1) >> np.uint64(32)).astype(np.uint32)
    return least


def _banding(threshold: float) -> tuple[int, int]:
    """(bands, rows): the most rows per band (fewest false candidates) that still make a
    pair at ``threshold`` a candidate with probability ``_RECALL_AT_THRESHOLD``."""
    t = min(max(threshold, 0.01), 1.0)
    rows = 1
    for r in range(2, _PERMUTATIONS + 1):
        if 1 - (1 - t**r) ** (_PERMUTATIONS // r) < _RECALL_AT_THRESHOLD:
            break
        rows = r
    return _PERMUTATIONS // rows, rows


def _lsh_candidates(
    names: Sequence[str], matrix: np.ndarray, threshold: float
) -> set[tuple[str, str]]:
    """Pairs of pages whose signatures (rows of ``matrix``) agree on at least one band."""
    bands, rows = _banding(threshold)
    pairs: set[tuple[str, str]] = set()
    for band in range(bands):
        keys = np.ascontiguousarray(matrix[:, band * rows : (band + 1) * rows])
        _, groups = np.unique(keys.view(f"V{keys.itemsize * rows}").ravel(), return_inverse=True)
        order = np.argsort(groups, kind="stable")
        ranked = groups[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        ends = np.r_[starts[1:], len(order)]
        shared = ends - starts >= 2
        for start, end in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
            members = [names[i] for i in order[start:end].tolist()]
            if len(members) <= _BUCKET_PAIRWISE_LIMIT:
                pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
            else:  # a crowd of near-identical pages: each against one representative
                pairs.update((members[0], other) for other in members[1:])
    return pairs


def unique_shares(pages: Mapping[str, frozenset[int]]) -> dict[str, float]:
    """For each page, the share of its shingles that appear on no other page given (0–1)."""
    seen = Counter(shingle for s in pages.values() for shingle in s)
    return {
        name: (sum(1 for shingle in s if seen[shingle] == 1) / len(s)) if s else 0.0
        for name, s in pages.items()
    }
