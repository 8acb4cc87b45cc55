"""The shingle / MinHash similarity that the near-duplicate rule of ``kdirectory check`` and
the build's uniqueness gate stand on."""

from __future__ import annotations

import random

import numpy as np
import pytest

from kdirectory.check.similarity import (
    EXACT_PAIRS_UP_TO,
    SimilarPair,
    jaccard,
    near_duplicates,
    shingle_array,
    shingles,
    signature,
    unique_shares,
)


def test_jaccard_basics() -> None:
    a, b = frozenset({1, 2, 3}), frozenset({2, 3, 4})
    assert jaccard(a, b) == jaccard(b, a) == 0.5
    assert jaccard(a, a) == 1.0
    assert jaccard(a, frozenset({7})) == 0.0
    assert jaccard(frozenset(), frozenset()) == 0.0  # two empty pages are not alike


def test_shingles_ignore_case_and_punctuation_and_can_set_names_aside() -> None:
    text = "Clinics in Escondido, CA: call to ask about hours and prices."
    assert shingles(text) == shingles(text.upper().replace(",", " ").replace(":", ""))
    assert len(shingles("one two three four five six")) == 2
    assert len(shingles("too short")) == 1
    assert shingles("") == frozenset()
    other = text.replace("Escondido", "Buena Park")
    assert jaccard(shingles(text), shingles(other)) < 0.5
    assert shingles(text, set_aside=["Escondido"]) == shingles(other, set_aside=["Buena Park"])


def test_unique_shares() -> None:
    a = shingles("a b c d e f g h")
    b = shingles("a b c d e x y z")
    shares = unique_shares({"a": a, "b": b, "empty": frozenset()})
    assert shares == {"a": 0.75, "b": 0.75, "empty": 0.0}


def random_text(rng: random.Random, words: int = 150) -> list[str]:
    return [f"w{rng.randrange(5000)}" for _ in range(words)]


@pytest.mark.parametrize(("threshold", "precomputed"), [(0.9, False), (0.9, True), (0.75, True)])
def test_minhash_finds_every_pair_brute_force_finds(threshold: float, precomputed: bool) -> None:
    rng = random.Random(1234)
    texts = {f"page-{n:04d}": random_text(rng) for n in range(EXACT_PAIRS_UP_TO + 60)}
    for n in range(40):  # plant twins with 0-4 words changed (Jaccard about 1.0 down to 0.76)
        words = list(texts[f"page-{n:04d}"])
        for _ in range(n % 5):
            words[rng.randrange(len(words))] = f"x{rng.randrange(1000)}"
        texts[f"twin-{n:04d}"] = words
    pages = {name: shingles(" ".join(words)) for name, words in texts.items()}
    assert len(pages) > EXACT_PAIRS_UP_TO  # the MinHash + LSH path
    names = sorted(pages)
    brute = {
        (a, b)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if jaccard(pages[a], pages[b]) >= threshold
    }
    assert len(brute) >= 15  # enough planted pairs at the threshold to make this mean something
    signatures = {name: signature(s) for name, s in pages.items()} if precomputed else None
    result = near_duplicates(pages, threshold, signatures)
    assert {(p.first, p.second) for p in result} == brute
    assert all(p.similarity == jaccard(pages[p.first], pages[p.second]) for p in result)
    assert result == near_duplicates(dict(reversed(pages.items())), threshold)  # deterministic
    assert result == sorted(result, key=lambda p: (-p.similarity, p.first, p.second))


def test_near_duplicates_small_site_compares_every_pair() -> None:
    base = "ketamine therapy clinics listed with hours phone and address for the whole region"
    pages = {
        "a": shingles(base),
        "b": shingles(base),
        "c": shingles("a different page about another subject entirely with its own words"),
        "d": frozenset(),
    }
    assert near_duplicates(pages, 0.9) == [SimilarPair("a", "b", 1.0)]


def test_shingle_arrays_hold_the_same_shingles_and_compare_alike() -> None:
    rng = random.Random(99)
    texts = [" ".join(random_text(rng, 60)) for _ in range(3)]
    for text in [*texts, "", "too short", "one two three four five six"]:
        compact = shingle_array(text, set_aside=["three"])
        assert compact.dtype == np.uint32
        assert compact.tolist() == sorted(shingles(text, set_aside=["three"]))
    twin = texts[0].replace(texts[0].split()[7], "changed", 1)
    sets = {"a": shingles(texts[0]), "b": shingles(twin), "c": shingles(texts[1])}
    arrays = {name: np.array(sorted(s), dtype=np.uint32) for name, s in sets.items()}
    assert near_duplicates(arrays, 0.5) == near_duplicates(sets, 0.5) != []
    for name, values in sets.items():
        assert (signature(arrays[name]) == signature(values)).all()


def test_minhash_over_shingle_arrays_finds_what_sets_find() -> None:
    rng = random.Random(4321)
    texts = {f"page-{n:04d}": random_text(rng) for n in range(EXACT_PAIRS_UP_TO + 20)}
    for n in range(30):
        words = list(texts[f"page-{n:04d}"])
        words[rng.randrange(len(words))] = f"x{n}"
        texts[f"twin-{n:04d}"] = words
    sets = {name: shingles(" ".join(words)) for name, words in texts.items()}
    sets["empty"] = frozenset()
    arrays = {name: np.array(sorted(s), dtype=np.uint32) for name, s in sets.items()}
    found = near_duplicates(arrays, 0.9)
    assert len(found) >= 25
    assert found == near_duplicates(sets, 0.9)
