/**
 * bundle.env: what setup.sh and run_autograder read from the bundle (shell variable assignments,
 * sourced by both): the assignment, run_autograder's deadline, and the Node versions.
 */
import type { Manifest } from "../../graders/manifest";

/** Node majors the grader supports (package.json engines), and the one setup.sh installs where none is: the active LTS. */
const SUPPORTED_NODE_MAJORS = [20, 22, 24, 26];
const INSTALLED_NODE_MAJOR = 24;
/** Gradescope stops an autograder after 10 minutes by default, scoring 0 and showing nothing
 *  (https://gradescope-autograders.readthedocs.io/en/latest/troubleshooting/): run_autograder's
 *  own deadline stays well under it. */
export const GRADESCOPE_TIMEOUT_S = 600;
const DEADLINE_CAP_S = 540;
/** Past the manifest's budget for a whole submission: the test running when it ran out may take up to its own time limit. */
const DEADLINE_MARGIN_S = 150;

/** run_autograder's deadline in seconds, for a manifest's budget for a whole submission. */
export function deadlineSeconds(submissionTimeoutMs: number): number {
  return Math.min(DEADLINE_CAP_S, Math.ceil(submissionTimeoutMs / 1000) + DEADLINE_MARGIN_S);
}

export function bundleEnv(manifest: Manifest): string {
  const budget = manifest.limits.submissionTimeoutMs / 1000;
  return [
    "# Written by npm run bundle; read by setup.sh and run_autograder.",
    `ASSIGNMENT=${manifest.name}`,
    `# run_autograder's deadline: the manifest's ${budget} s for a submission + ${DEADLINE_MARGIN_S} s, at most ${DEADLINE_CAP_S} s (Gradescope stops everything at ${GRADESCOPE_TIMEOUT_S} s)`,
    `DEADLINE_SECONDS=${deadlineSeconds(manifest.limits.submissionTimeoutMs)}`,
    `NODE_MAJOR=${INSTALLED_NODE_MAJOR}`,
    `SUPPORTED_NODE_MAJORS="${SUPPORTED_NODE_MAJORS.join(" ")}"`,
    "",
  ].join("\n");
}
