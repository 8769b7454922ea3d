/**
 * The flags that put a sandboxed child under Node's permission model, chosen by what the running
 * Node supports (a feature test, not a version compare): `--permission` where Node has it (22.13+,
 * 23.5+, 24+), `--experimental-permission` before that (20.x, 22.x before 22.13). Node 24 removed
 * the old name ("bad option", exit 9), so passing it there fails every child before it loads.
 *
 * What the model denies a child that is only allowed to read its runner and its bundle, per the
 * Node docs (https://nodejs.org/api/permissions.html#permission-model, and the same page for v20,
 * v22 and v24), and measured with the real binaries 20.20, 22.23, 24.21 and 26.10:
 *   - every file read outside --allow-fs-read and every write (no --allow-fs-write): ERR_ACCESS_DENIED;
 *   - child processes (no --allow-child-process), worker threads (no --allow-worker), WASI
 *     (no --allow-wasi) and the inspector: ERR_ACCESS_DENIED; native addons (no --allow-addons):
 *     ERR_DLOPEN_DISABLED;
 *   - the network: only from Node 25 on (--allow-net, https://nodejs.org/api/cli.html#--allow-net);
 *     20, 22 and 24 let a child connect anywhere, so there only bubblewrap (bwrap.ts) cuts it.
 *     We never pass --allow-net.
 * Node 26's FFI (node:ffi) needs --experimental-ffi, which we never pass either.
 */

/** The permission flag of the running Node: `--permission`, or `--experimental-permission` before it existed. */
function permissionFlag(): string {
  const forced = process.env.BACKPROP_GRADER_TEST_PERMISSION_FLAG;
  if (forced !== undefined) return forced;
  return process.allowedNodeEnvironmentFlags.has("--permission") ? "--permission" : "--experimental-permission";
}

/**
 * The child's permission flags: the model on, reads allowed of `readable` only, nothing else.
 * `flag` defaults to the running Node's. BACKPROP_GRADER_TEST_PERMISSION_FLAG replaces it, for
 * tests only: a flag Node refuses, or "" (no permission model). The sandbox's canary (canary.ts)
 * refuses to grade under either, so it can stop grading but never weaken the sandbox.
 */
export function permissionFlags(readable: string[], flag = permissionFlag()): string[] {
  if (flag === "") return []; // Node refuses --allow-fs-read without the model ("--permission is required")
  return [flag, ...readable.map((path) => `--allow-fs-read=${path}`)];
}
