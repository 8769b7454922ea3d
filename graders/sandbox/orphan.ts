/**
 * The runner's half of parent-death.ts: setpriv arms the parent-death signal just before node
 * starts, so a grader that died in between left no one to signal this child. Where the child's
 * parent is the grader itself (no bubblewrap: prlimit and setpriv exec, they do not fork), the
 * grader passes its pid after the bundle's path; a runner whose parent is by now another process
 * (it was reparented to init or a subreaper) exits at once, before the student's code is loaded.
 * Under bubblewrap no pid is passed (the grader's pid means nothing in the child's pid namespace).
 */
export function exitIfOrphaned(): void {
  const grader = Number(process.argv[3]);
  if (!Number.isInteger(grader) || grader <= 0 || process.ppid === grader) return;
  process.stderr.write(`runner: the grader (pid ${grader}) is gone (this process's parent is now pid ${process.ppid}): exiting\n`);
  process.exit(1);
}
