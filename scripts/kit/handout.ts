/**
 * The handout as a starter kit carries it. A handout (assignments/A/README.md) is read in two
 * places: in this repository, where it links to the student API at ../../docs/api.md, and as the
 * README of a starter kit, a folder of its own where that path leads nowhere. So a kit carries a
 * copy of each repository page a handout links to (KIT_DOCS), under its name in the kit, and the
 * handout's links to those pages are rewritten to the copies. A copied page is carried whole; it
 * must not link to other pages of the repository (test/repo/docs.test.ts builds each kit's README and
 * pages this way and checks that every link in them resolves inside the kit).
 */
import { posix } from "node:path";

/** The repository's pages a kit carries: their path here → their name in the kit's root. */
export const KIT_DOCS: Readonly<Record<string, string>> = { "docs/api.md": "API.md" };

/** The kit's npm scripts (its package.json): the self-check, started without a shell so it is the same on every system. */
export const KIT_SCRIPTS: Readonly<Record<string, string>> = { check: "node .grader/check.mjs" };

/**
 * The handout of `assignment` with each Markdown link to a page of KIT_DOCS pointed at the kit's
 * copy (an anchor after it is kept): `[the API](../../docs/api.md#layers)` → `[the API](API.md#layers)`.
 */
export function kitHandout(assignment: string, handout: string): string {
  const here = posix.join("assignments", assignment);
  return handout.replace(/(\]\()([^)\s#]+)(#[^)\s]*)?\)/g, (link: string, open: string, target: string, anchor: string | undefined) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return link; // https:, mailto:
    const inKit = KIT_DOCS[posix.normalize(posix.join(here, target))];
    return inKit === undefined ? link : `${open}${inKit}${anchor ?? ""})`;
  });
}
