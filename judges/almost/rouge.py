"""ROUGE-L F (Lin, 2004) for near-duplicate prompt detection in ALMoST's prompt generation.

Tokens are lower-cased whitespace-separated words. ALMoST itself tokenised with BERT's uncased
WordPiece and scored with the `rouge` package, whose ROUGE-L F weights recall by beta = P/R; we use
the common beta = 1 F-measure (the harmonic mean of precision and recall, as rouge-score does), so
scores can differ slightly from ALMoST's on prompts with punctuation or unequal lengths.
"""

from __future__ import annotations

from collections.abc import Sequence


def tokens(text: str) -> list[str]:
    return text.lower().split()


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence, in O(len(a) * len(b)) time and O(len(b)) memory."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l_f(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """F1 of LCS precision (over `candidate`) and recall (over `reference`); 0.0 when either is empty."""
    common = lcs_length(candidate, reference)
    if common == 0:
        return 0.0
    # 2PR/(P+R) with P = common/len(candidate), R = common/len(reference), in one division: computed from P and R
    # it rounds exact 0.5s down (6 of 11 and 13 words -> 0.4999999999999999) and misses the dedup threshold
    return 2 * common / (len(candidate) + len(reference))
