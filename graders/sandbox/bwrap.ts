/**
 * bubblewrap: on Linux, the child also runs in fresh namespaces (`--unshare-all`: no network, no
 * view of other processes) over a read-only view of the system plus the files it needs. Where
 * bwrap is missing or cannot create namespaces (macOS, Windows, some containers), grading goes on
 * with Node's permission model alone; `BACKPROP_GRADER_BWRAP=0` turns it off on purpose.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { execa } from "execa";

/** The system folders a dynamically linked node needs, where they exist on this machine. */
const SYSTEM = ["/usr", "/lib", "/lib64", "/bin", "/etc/alternatives"];

export function bwrapArgs({ readOnly, cwd }: { readOnly: string[]; cwd: string }): string[] {
  const node = dirname(process.execPath);
  const ro = [...new Set([...SYSTEM.filter(existsSync), node, ...readOnly])];
  return [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    ...ro.flatMap((p) => ["--ro-bind", p, p]),
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--bind",
    cwd,
    cwd, // a fresh empty folder, deleted after grading (read-only made Node's trace writer hang the child)
    "--chdir",
    cwd,
  ];
}

let probe: Promise<boolean> | undefined;

/** Whether bwrap can run node here (probed once per process, with `node --version`: it loads the
 *  binary and its libraries in the namespaces without starting V8, a few ms instead of about 40). */
export function bwrapAvailable(): Promise<boolean> {
  if (process.platform !== "linux" || process.env.BACKPROP_GRADER_BWRAP === "0") return Promise.resolve(false);
  probe ??= execa("bwrap", [...bwrapArgs({ readOnly: [], cwd: "/tmp" }), process.execPath, "--version"], { reject: false, timeout: 10_000 })
    .then((r) => r.exitCode === 0)
    .catch(() => false);
  return probe;
}

/**
 * Said once before grading untrusted code where bubblewrap cannot be used: what still holds (the
 * permission model and the runner's wall-off, lockdown.ts) and what does not without a kernel
 * boundary.
 */
export const NO_BWRAP_WARNING =
  "warning: bubblewrap is not available here, so student code runs as your user with Node's permission model " +
  "and the runner's wall-off only: it cannot read or write files, start processes, open connections or send signals, " +
  "but it can read what needs no file (user id, Node version and paths, CPU count, memory size) and measure time, " +
  "and a bug in Node's permission model or a way around the wall would give it your user's rights (Node's documentation " +
  "says the permission model is no protection against malicious code). Install bubblewrap (apt-get install bubblewrap) " +
  "before grading untrusted submissions.";
