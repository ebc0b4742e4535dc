"""Near-duplicate texts: character 5-gram sets, their MinHash signatures for many texts at once,
LSH banding to propose similar pairs without comparing all pairs, and the exact measures for the
pairs proposed (Jaccard similarity, the longest shared passage).

Signatures are those of datasketch's `MinHash` (its `affine32` scheme) given this module's
permutations, computed for a whole batch of texts with numpy instead of one `update_batch` per text;
a test holds them equal. datasketch is only that test's reference: importing it loads scipy, which
a run does not otherwise need. Banding splits each signature into `b` bands of `r` values, as datasketch's
`MinHashLSH` does, but sorts the bands' keys with numpy, a few bands in one pass (a band at a
time for many texts, a share of a band's keys at a time for more), so that memory holds those
keys' pairs rather than an index of every text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np
import polars as pl

SHINGLE = 5  # characters per shingle
NUM_PERM = 128  # MinHash permutations
SEED = 1
RECALL = 0.99  # banding proposes a pair of similarity at the threshold at least this often
MAX_OTHERS = 50  # in a bucket of more texts, each text meets only the next this many
PASSAGE = 60  # characters of a longest shared passage kept for a message
_NOISE = r"[^\p{L}]"  # what is not compared: whitespace, punctuation, digits, symbols
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the rolling shingle hash


@cache
def _compat() -> dict[str, str]:
    """Kangxi radicals, CJK radicals and compatibility ideographs → the ideographs NFKC reads them as."""
    out = {}
    for lo, hi in [(0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)]:
        for c in map(chr, range(lo, hi + 1)):
            if (n := unicodedata.normalize("NFKC", c)) != c:
                out[c] = n
    return out


@cache
def _table() -> dict[int, str]:
    return str.maketrans(_compat())


def significant(text: pl.Expr) -> pl.Expr:
    """The characters compared: letters and ideographs (compatibility forms read as NFKC reads
    them), without whitespace, punctuation and digits, so that changed numbers hide nothing."""
    compat = _compat()
    return text.str.replace_many(list(compat), list(compat.values())).str.replace_all(_NOISE, "")


def packed_shingles(text: str) -> np.ndarray:
    """The distinct shingles of a text, sorted, each its SHINGLE code points packed into one
    4·SHINGLE-byte value: compared as exactly as the strings, without a Python object per shingle."""
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if cp.size < SHINGLE:
        return np.zeros(0, dtype=f"V{4 * SHINGLE}")
    windows = np.ascontiguousarray(np.lib.stride_tricks.sliding_window_view(cp, SHINGLE))
    return np.unique(windows.view(f"V{4 * SHINGLE}").ravel())


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity of two texts' `packed_shingles`."""
    both = np.intersect1d(a, b, assume_unique=True).size
    return both / (a.size + b.size - both) if a.size or b.size else 0.0


def shingle_hash(shingle: str) -> int:
    """The 32-bit hash of one shingle, as `shingle_hashes` computes it for whole texts."""
    h = 0
    for ch in shingle:
        h = (h * int(_MIX) + ord(ch)) & 0xFFFFFFFFFFFFFFFF
    return (h >> 32) ^ (h & 0xFFFFFFFF)


def shingle_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(the hash of every shingle of every text, in order; shingles per text)."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    cp = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = max(cp.size - SHINGLE + 1, 0)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(SHINGLE):
            h = h * _MIX + cp[j:j + n]
    ends = np.cumsum(lengths)
    h = h[np.arange(n) + SHINGLE <= ends[np.repeat(np.arange(len(texts)), lengths)[:n]]]  # windows within a text
    return ((h >> np.uint64(32)) ^ (h & np.uint64(0xFFFFFFFF))).astype(np.uint32), np.maximum(lengths - SHINGLE + 1, 0)


@cache
def permutations() -> np.ndarray:
    """(a, b) of the NUM_PERM affine permutations h -> a·h + b mod 2³² (a odd, so each is a bijection)."""
    rng = np.random.default_rng(SEED)
    a = rng.integers(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    return np.array([a, rng.integers(0, 1 << 32, NUM_PERM, dtype=np.uint32)])


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch applies before its affine permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(texts: list[str], chunk: int = 1 << 20) -> np.ndarray:
    """MinHash signatures (len(texts) × NUM_PERM, uint32) of texts of at least one shingle: the
    hash values datasketch's `MinHash` (scheme affine32, `permutations()`) holds after `update_batch`
    of a text's shingles hashed by `shingle_hash`; about `chunk` characters of texts at a time."""
    a, b = permutations()
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    at = 0
    while at < len(texts):
        size, end = 0, at
        while end < len(texts) and (end == at or size + len(texts[end]) <= chunk):
            size += len(texts[end])
            end += 1
        hv, counts = shingle_hashes(texts[at:end])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        with np.errstate(over="ignore"):
            hv = _fmix32(hv)
            for k in range(NUM_PERM):
                out[at:end, k] = np.minimum.reduceat(hv * a[k] + b[k], starts)
        at = end
    return out


def banding(threshold: float) -> tuple[int, int]:
    """(bands, values per band): the most values per band for which banding still proposes a pair
    of similarity `threshold` with probability at least `RECALL` (1 − (1 − t^r)^b, b = NUM_PERM // r)."""
    for rows in range(NUM_PERM, 0, -1):
        bands = NUM_PERM // rows
        if 1 - (1 - threshold**rows) ** bands >= RECALL:
            return bands, rows
    return NUM_PERM, 1


def agreement(sig: np.ndarray, i: np.ndarray, j: np.ndarray, other: np.ndarray | None = None,
              chunk: int = 1 << 16) -> np.ndarray:
    """The MinHash estimate of each pair's similarity: the share of equal signature values of rows
    `i` of `sig` and rows `j` of `other` (default: of `sig`)."""
    other = sig if other is None else other
    parts = [np.count_nonzero(sig[i[s:s + chunk]] == other[j[s:s + chunk]], axis=1) for s in range(0, len(i), chunk)]
    return np.concatenate(parts) / sig.shape[1] if parts else np.zeros(0)


_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)


def _low_agreement(low: np.ndarray, i: np.ndarray, j: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    """`agreement` of rows of `low`, the signatures' low bytes packed eight to a uint64: a byte of
    x = a ^ b is zero where the bytes agree, and ((x & 7F…) + 7F…) | x | 7F… has its high bit clear
    exactly in x's zero bytes, so its complement's set bits count the agreeing bytes."""
    parts = []
    for s in range(0, len(i), chunk):
        x = low[i[s:s + chunk]] ^ low[j[s:s + chunk]]
        parts.append(np.bitwise_count(~(((x & _LOW7) + _LOW7) | x | _LOW7)).sum(axis=1, dtype=np.int64))
    return np.concatenate(parts) / (low.shape[1] * 8) if parts else np.zeros(0)


def _bucket_pairs(band: np.ndarray, i: np.ndarray, key: np.ndarray) -> np.ndarray:
    """(i, j), i < j, of rows sharing a band's key: each row with the rows after it in its bucket,
    at most MAX_OTHERS of them (in a bucket of up to MAX_OTHERS + 1 rows, every pair). Rows come in
    ascending `i` within a band, and the sort is stable, so a bucket's rows stay in that order."""
    order = np.lexsort((key, band))
    band, key, i = band[order], key[order], i[order]
    start = np.flatnonzero(np.r_[True, (band[1:] != band[:-1]) | (key[1:] != key[:-1])])
    size = np.diff(np.r_[start, len(i)]).astype(np.int32)
    at = np.arange(len(i), dtype=np.int32)
    count = np.minimum(np.repeat(start.astype(np.int32) + size, size) - at - 1, MAX_OTHERS)
    first = np.repeat(at, count)
    after = np.arange(len(first), dtype=np.int32) - np.repeat(np.cumsum(count, dtype=np.int32) - count, count) + 1
    return np.stack([i[first], i[first + after]], axis=1)


def lsh_pairs(sig: np.ndarray, groups: np.ndarray, threshold: float, floor: float,
              cells: int = 50_000) -> tuple[np.ndarray, int]:
    """(pairs (i, j), i < j, of rows of different `groups` that agree on a whole band of their
    signatures and whose estimate reaches `floor`; how many pairs the bands proposed). About `cells`
    (row, band) keys are paired at a time: several bands in one pass, or a band's keys a share at a
    time (those equal to each other modulo the number of shares), so that memory holds the pairs of
    those keys only. The estimate is first taken on each value's low byte, which agrees wherever
    the value does (a superset, four times less to compare), then on the whole values for the few
    pairs that reach `floor`."""
    bands, rows = banding(threshold)
    mult = np.random.RandomState(SEED).randint(1, 1 << 62, size=rows, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    n = len(sig)
    low = np.ascontiguousarray(sig.astype(np.uint8)).view(np.uint64)  # NUM_PERM is a multiple of 8
    step, shares = max(1, cells // max(n, 1)), max(1, -(-n // cells))
    found, proposed = [np.zeros((0, 2), np.int64)], 0
    for first in range(0, bands, step):
        part = range(first, min(first + step, bands))
        with np.errstate(over="ignore"):
            keys = np.concatenate([(sig[:, k * rows:(k + 1) * rows].astype(np.uint64) * mult).sum(axis=1, dtype=np.uint64)
                                   for k in part])
        band = np.repeat(np.arange(len(part), dtype=np.uint16), n)
        i = np.tile(np.arange(n, dtype=np.uint32), len(part))
        for share in range(shares):
            mine = keys % np.uint64(shares) == share if shares > 1 else slice(None)
            ij = _bucket_pairs(band[mine], i[mine], keys[mine])
            proposed += len(ij)
            ij = ij[groups[ij[:, 0]] != groups[ij[:, 1]]].astype(np.int64)
            ij = ij[_low_agreement(low, ij[:, 0], ij[:, 1]) >= floor]
            found.append(ij[agreement(sig, ij[:, 0], ij[:, 1]) >= floor])
    return np.unique(np.concatenate(found), axis=0), proposed


def longest_passage(a: str, b: str) -> str:
    """The longest passage (4 characters at least) two texts share, whitespace removed, the first
    in `a` of the longest; shortened for a message."""
    a, b = (re.sub(r"\s", "", t.translate(_table())) for t in (a, b))
    start, size = _longest_common(a, b)
    s = a[start:start + size] if size >= 4 else ""
    return s if len(s) <= PASSAGE else s[:PASSAGE // 2] + "……" + s[-PASSAGE // 2:]


def _longest_common(a: str, b: str) -> tuple[int, int]:
    """(start in `a`, length) of the first longest substring of `a` that `b` holds, in time linear in
    their lengths: `b`'s suffix automaton, walked along `a` (not every place with every place: that is
    quadratic, and slow on two sections of one character repeated)."""
    length, link, step = [0], [-1], [{}]  # the automaton's states: longest string, suffix link, transitions
    last = 0
    for ch in b:
        cur = len(length)
        length.append(length[last] + 1), link.append(0), step.append({})
        p = last
        while p != -1 and ch not in step[p]:
            step[p][ch] = cur
            p = link[p]
        if p != -1:
            q = step[p][ch]
            if length[p] + 1 == length[q]:
                link[cur] = q
            else:
                clone = len(length)
                length.append(length[p] + 1), link.append(link[q]), step.append(dict(step[q]))
                while p != -1 and step[p].get(ch) == q:
                    step[p][ch] = clone
                    p = link[p]
                link[q] = link[cur] = clone
        last = cur
    state = run = best_end = best = 0
    for i, ch in enumerate(a):
        while state and ch not in step[state]:
            state = link[state]
            run = length[state]
        if ch in step[state]:
            state, run = step[state][ch], run + 1
        else:
            state = run = 0
        if run > best:
            best, best_end = run, i + 1
    return best_end - best, best
