/**
 * Where the starter kit grades differently from the course's grader, as data: one GradingPolicy,
 * passed in (GradeOptions.policy, CheckContext.policy), read where each decision is made.
 *
 * The kit holds no reference code: its reference answers only the questions recorded when the kit
 * was made (graders/reference/recorded-reference.ts, recorded by grading the reference itself under
 * this same policy with graders/reference/recording-reference.ts). A question whose answer depends
 * on the student's own answers (the reference's forward on the student's perturbed inputs, its
 * scores on the parameters the student's gradients led to, a graph of the student's nodes run
 * with the grader's gates) could not have been recorded, so the kit's policy asks the student's
 * own code instead, and says so in its messages; every other question depends on the case alone.
 */

export interface GradingPolicy {
  /**
   * Whose forward a gradient check differentiates on a case (checks/whose-forward.ts): the
   * student's where it returns, matches the reference and is fast, else the reference's, so a
   * forward bug costs only the forward's tests (live); or always the student's (the kit: the
   * reference's forward on inputs moved by ±h was never recorded).
   */
  readonly gradcheckForward: "student-if-correct" | "student-always";
  /**
   * Whose gates a graph test's nodes are: the grader's, so a gate bug never costs a graph test
   * (live); or the student's gates.ts, compiled into the graph's bundle (the kit: it has no
   * gates of its own to give).
   */
  readonly graphGates: "grader" | "student";
  /**
   * Whose forward judges the training accuracy on the learned parameters (checks/training.ts):
   * the reference's, so only the gradients count (live); or the student's own twoLayerNetScores
   * (the kit: the reference's scores on parameters the student's gradients led to were never
   * recorded).
   */
  readonly trainingForward: "reference" | "student";
  /**
   * When the diagnosis catalog's questions about a case a check built itself (a tie, huge scores,
   * a reuse sample) are asked of the reference: only when a diagnosis needs them (live: the
   * reference answers anything); or up front on every such case, so that grading a correct
   * solution under this policy, which is how the kit's answers are recorded, records them, and the
   * kit can diagnose a failure there.
   */
  readonly builtCaseCatalog: "on-failure" | "up-front";
}

/** The course's grader: the reference is here and answers any question. */
export const LIVE_POLICY: GradingPolicy = {
  gradcheckForward: "student-if-correct",
  graphGates: "grader",
  trainingForward: "reference",
  builtCaseCatalog: "on-failure",
};

/** The starter kit's self-check, and the grading that records its answers (scripts/kit.ts). */
export const KIT_POLICY: GradingPolicy = {
  gradcheckForward: "student-always",
  graphGates: "student",
  trainingForward: "student",
  builtCaseCatalog: "up-front",
};
