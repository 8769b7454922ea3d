/**
 * "Did you mean …?" for a misspelt name on the command line (an option, an export, an
 * assignment): the known name closest to it by edit distance (Levenshtein, fastest-levenshtein),
 * compared without case, when it is close enough to be a slip of the keyboard rather than another
 * word: at most 2 edits, or a third of the name's length for longer names. A name the word merely
 * begins ("svm" for svmLoss) is taken too.
 */
import { distance } from "fastest-levenshtein";

/** The known name `word` most likely misspells, or undefined when none is close. Ties: the first in `names`. */
export function closestName(word: string, names: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const n = name.toLowerCase();
    const d = distance(w, n);
    const close = d <= Math.max(2, Math.floor(n.length / 3)) || (w.length >= 3 && n.startsWith(w));
    if (close && (best === undefined || d < best.d)) best = { name, d };
  }
  return best?.name;
}
