/**
 * @module
 * "Did you mean …?" for mistyped names: an edit distance and the nearest
 * candidate within a distance that still looks like a typo. Pure.
 */

/**
 * The optimal-string-alignment distance between `a` and `b`: the number of
 * single-character insertions, deletions, substitutions and swaps of two
 * neighbouring characters that turn one into the other. Case-sensitive.
 */
export function editDistance(a: string, b: string): number {
  // Three rows: two back (for swaps), one back, and the row being built.
  let twoBack: number[] = [];
  let oneBack = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1];
      let best = Math.min(oneBack[j]! + 1, row[j - 1]! + 1, oneBack[j - 1]! + (same ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, twoBack[j - 2]! + 1);
      }
      row[j] = best;
    }
    twoBack = oneBack;
    oneBack = row;
  }
  return oneBack[b.length]!;
}

/**
 * The largest distance at which `word` is still taken for a typo of a
 * candidate: a third of its length, at least 1 and at most 3.
 */
export function typoDistance(word: string): number {
  return Math.min(3, Math.max(1, Math.floor(word.length / 3)));
}

/**
 * The candidate nearest to `word` (case-insensitive), if it is within
 * `maxDistance` (default {@linkcode typoDistance}). On a tie the earlier
 * candidate wins, so pass candidates in a stable order.
 */
export function nearest(
  word: string,
  candidates: Iterable<string>,
  maxDistance: number = typoDistance(word),
): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= maxDistance ? best : undefined;
}
