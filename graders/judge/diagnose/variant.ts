/**
 * A known wrong variant of the reference, as data: which export's outputs it changes, on which
 * cases it can show, how to compute its wrong answer from a case, and the likely cause it names.
 * The catalog (catalog.ts) lists them per assignment; match.ts decides whether an answer is one.
 */
import type { Case, Target } from "../../cases/case";
import type { ReferenceAnswers } from "../../reference/reference-answers";

/** A whole answer of an export, by output name (plain data). */
export type Answer = Record<string, unknown>;

/** What a variant's text is given: which export failed, on which output, for which case. */
export interface DiagnosisContext {
  exportName: string;
  output: string;
  c: Case;
  /** The shape of the student's answer, "r×c", when it is a matrix. */
  actualShape?: string;
}

export interface WrongVariant {
  /** Short kebab-case name of the bug, e.g. "transposed", "missing-1/N". */
  id: string;
  target: Target;
  /** The outputs this bug changes. The variant determines every output of the export: these as
   *  compute gives them, the others as the reference's; an answer matches only on all of them. */
  outputs: readonly string[];
  /** Only on cases that can show it (a tie, nodes out of order, a regularized loss …). */
  when?: (c: Case) => boolean;
  /** The wrong answer on this case, as plain data, for (at least) the outputs it changes. */
  compute: (c: Case, reference: ReferenceAnswers) => Answer;
  /** "values" (default): equal within tolerance, entry by entry; "non-finite": where the variant's
   *  output has NaN/±Infinity, the answer's has one somewhere too (how a NaN spreads depends on the
   *  code), and otherwise equal within tolerance. */
  match?: "values" | "non-finite";
  /** The likely cause, in plain words, naming the export and the output. */
  text: (ctx: DiagnosisContext) => string;
  /** Outputs it changes on some cases only (maxout's dx when the two pieces are identical): the
   *  variant shows its bug even where they come out right. Every other output it changes must be
   *  wrong on a case for the variant to apply there. */
  sometimesRight?: readonly string[];
  /** Keys (variantKey) of other variants that are the same bug in other words: when both match, this one's text is shown. */
  equivalent?: readonly string[];
}

/** A variant's key: its id and the outputs it changes ("sign-flip:dx"), unique within a target
 *  except for variants that are one bug computed several ways (graph-overwrites per walk order). */
export const variantKey = (v: WrongVariant): string => `${v.id}:${v.outputs.join("+")}`;
