/**
 * The runner's wall-off: before the student's module is imported, every way to reach the OS that
 * Node's permission model leaves open is removed, so the child is contained even where bubblewrap
 * is missing (macOS, Windows, most containers, Gradescope). A walled-off property is replaced by a
 * non-writable, non-configurable function (or getter) that throws
 * "<what> is not allowed in the grader's sandbox", so the student's test message says what was
 * refused ("reluForward threw Error: process.kill is not allowed in the grader's sandbox").
 *
 * The review behind it: the own properties of `process` and `globalThis` enumerated with the real
 * Node 20.20, 22.23, 24.21 and 26.10 binaries under the permission model, each one tried. Sources:
 * the permission model's documentation, https://nodejs.org/docs/latest-v20.x/api/permissions.html
 * ("the ability to access the file system through the fs module, spawn processes, use
 * node:worker_threads, use native addons, use WASI, and enable the runtime inspector will be
 * restricted"; from Node 25, https://nodejs.org/api/permissions.html, the network too, with
 * --allow-net) and, for process.binding, CVE-2023-32558 (nodejs/node commit 1bf3429).
 *
 * Walled off here (the permission model of Node 20–24 leaves them open unless said otherwise):
 *   - signals: process.kill and the raw process._kill under it (measured: SIGKILL to process.ppid
 *     killed `npm run grade`), except a signal to the child itself (it may end itself anyway);
 *     process._debugProcess(pid), which sends SIGUSR1 to any pid (a Node grader then opens its
 *     inspector; any other process dies of it). bubblewrap contains them with a PID namespace and
 *     a new session.
 *   - the network (Node 26 denies it without --allow-net; 20–24 do not: measured, each of these
 *     reached a listener on 127.0.0.1): the globals fetch, WebSocket, EventSource; undici's global
 *     dispatcher (globalThis[Symbol.for("undici.globalDispatcher.1")] and ".2": an Agent whose
 *     .request() needs no fetch, made when undici loads unless one is there already);
 *     net.Socket.prototype.connect (net.Socket is process.stdout.constructor) and the Pipe
 *     handle's connect/bind/listen/open/fchmod (the class of process.stdout._handle: a Unix-socket
 *     client or server without net).
 *   - built-in modules: process.getBuiltinModule (net, http, dgram, dns, os, vm, inspector,
 *     child_process, worker_threads, module.register… — a submission may import only ml-matrix;
 *     static imports are refused when bundling, computed import() too: bundle.ts),
 *     process.binding and process._linkedBinding (the permission model already throws
 *     ERR_ACCESS_DENIED for process.binding, and for _linkedBinding from Node 24; walled off for a
 *     message that says what was refused).
 *   - code from strings: the child runs with --disallow-code-generation-from-strings (sandbox.ts),
 *     which makes V8 refuse eval, new Function and the async/generator Function constructors
 *     ("EvalError: Code generation from strings disallowed for this context"), so no import() can
 *     be written at run time; the global eval is also walled off for a clearer message.
 *   - process.dlopen (native addons: ERR_DLOPEN_DISABLED under the permission model), process.execve
 *     (Node 22.15+; denied as a child process from Node 24, not on 22), process.loadEnvFile (a
 *     denied fs read), process.report (getReport() returns the host's name, OS, network
 *     interfaces, shared libraries and command line; writeReport is a denied fs write),
 *     process.stdin (with stdin ignored it is an fs.ReadStream of /dev/null, whose Symbol(kFs)
 *     property is the whole fs module), process.openStdin, and the credential setters
 *     setuid/setgid/seteuid/setegid/setgroups/initgroups (not denied: measured, setuid(65534)
 *     works for a root child, as on Gradescope).
 *   - kept for the runner: process.reallyExit is frozen as it is (process.exit calls it at call
 *     time, and the runner exits through it when the grader goes away).
 *
 * Denied by the permission model, and left to it: process.chdir (ERR_ACCESS_DENIED, an fs read,
 * measured on 20–26; walling it off would break node:internal/worker, which rewraps process.chdir
 * when it loads, as undici makes it do). Denied by it too, and now unreachable (getBuiltinModule
 * is walled off): fs reads and writes, including /proc (so no sibling sandbox can be found by
 * scanning it), child processes, workers (and module.register, whose hooks run on a worker
 * thread), the inspector (inspector.open; under the permission model SIGUSR1 does not start it
 * either), WASI, trace_events writing node_trace.*.log (from Node 24; on 20 it wrote into the
 * child's own empty working folder), v8.writeHeapSnapshot, Node 26's experimental node:ffi.
 *
 * Harmless (left alone): BroadcastChannel, MessageChannel and MessagePort (they reach other threads
 * of the same process only, and workers are denied); SharedArrayBuffer with Atomics.wait (blocks
 * this thread only: the grader's per-call timeout still SIGKILLs it); WebAssembly (computation, and
 * its memory counts against the address-space limit); process.abort, process.exit and process.umask
 * (this process only); process._getActiveHandles (this child's own handles: its stdio and the
 * grader's channel, on which the grader trusts nothing: frames.ts); process.title; navigator,
 * performance, process.hrtime/cpuUsage/resourceUsage/memoryUsage/availableMemory (timing and
 * sizes: side channels, not access); process.getuid/getgid/getgroups, process.versions/config/
 * execPath/argv (facts about this process: who runs it, which Node, where the runner is).
 */
import net from "node:net";

const NOT_ALLOWED = "is not allowed in the grader's sandbox";

// Captured when the runner loads, before any student code: a student who patches these later
// changes nothing here.
const { defineProperty, getPrototypeOf } = Object;
const ErrorClass = Error;
const stringify = JSON.stringify;
const ProxyClass = Proxy;

/** `"node:net"` for a string argument, its type otherwise (never the student's toString). */
function quoted(arg: unknown): string {
  return typeof arg === "string" ? stringify(arg.slice(0, 80)) : typeof arg;
}

/** A function that throws the refusal of `what` (computed from the call's arguments, if need be). */
function refuser(what: string | ((args: unknown[]) => string)): (...args: unknown[]) => never {
  // a plain function, not an arrow: `new WebSocket(…)` must reach the throw, not fail "not a constructor"
  return function refused(...args: unknown[]): never {
    throw new ErrorClass(`${typeof what === "string" ? what : what(args)} ${NOT_ALLOWED}`);
  };
}

/** Replace `owner[key]` by a refusing function: non-writable, non-configurable. */
function wallOff(owner: object, key: PropertyKey, what: string | ((args: unknown[]) => string)): void {
  defineProperty(owner, key, { value: refuser(what), writable: false, configurable: false, enumerable: false });
}

/**
 * Replace `owner[key]`, a function whose first argument is a pid, by one that passes a signal to
 * this very process through to the original and refuses every other: a process may end itself
 * anyway (process.exit, process.abort), and a child killed by a signal is a case the grader
 * reports ("killed by SIGKILL").
 */
function wallOffButSelf(owner: Record<string, unknown>, key: string, what: string): void {
  const original = (owner[key] as (...args: unknown[]) => unknown).bind(owner);
  const self = process.pid;
  const refuse = refuser(what);
  defineProperty(owner, key, {
    value: function signal(pid: unknown, ...rest: unknown[]) {
      return pid === self ? original(pid, ...rest) : refuse();
    },
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

/** Replace the accessor `owner[key]` by a refusing getter (reading it throws). */
function wallOffGetter(owner: object, key: PropertyKey, what: string): void {
  defineProperty(owner, key, { get: refuser(what), set: undefined, configurable: false, enumerable: false });
}

/** An object every use of which throws: for a value that must stay in place (undici's dispatcher). */
function walledObject(what: string): object {
  const refuse = refuser(what);
  return new ProxyClass(refuse, { get: refuse, set: refuse, apply: refuse, construct: refuse });
}

const PROCESS_FUNCTIONS: [keyof NodeJS.Process | string, string | ((args: unknown[]) => string)][] = [
  ["_debugProcess", "process._debugProcess (SIGUSR1 to a process)"],
  ["getBuiltinModule", (args) => `process.getBuiltinModule(${quoted(args[0])})`],
  ["binding", (args) => `process.binding(${quoted(args[0])})`],
  ["_linkedBinding", (args) => `process._linkedBinding(${quoted(args[0])})`],
  ["dlopen", "process.dlopen"],
  ["execve", "process.execve"],
  ["loadEnvFile", "process.loadEnvFile"],
  ["openStdin", "process.openStdin"],
  ["setuid", "process.setuid"],
  ["setgid", "process.setgid"],
  ["seteuid", "process.seteuid"],
  ["setegid", "process.setegid"],
  ["setgroups", "process.setgroups"],
  ["initgroups", "process.initgroups"],
];

const GLOBAL_FUNCTIONS = ["fetch", "WebSocket", "EventSource", "eval"];

/** Where undici keeps its global dispatcher (".1" in Node 20–22; ".2" and ".1" from Node 24). */
const UNDICI_DISPATCHERS = ["undici.globalDispatcher.1", "undici.globalDispatcher.2"];

/** The Pipe handle methods that open a new connection, server or file descriptor. */
const PIPE_METHODS = ["connect", "bind", "listen", "open", "fchmod"];

/**
 * Wall the child off. `channel` is the runner's socket to the grader (fd 3), opened already: its
 * handle's class is the Pipe class of every stdio stream. Call once, after the runner has
 * captured what it needs and before the student's module is imported.
 */
export function lockDown(channel: net.Socket): void {
  // Made now, while Pipe.prototype.open still works: stdout and stderr are created lazily.
  void process.stdout;
  void process.stderr;
  // process.kill calls process._kill when it runs: both let a signal to this process through
  wallOffButSelf(process as unknown as Record<string, unknown>, "_kill", "process._kill");
  wallOffButSelf(process as unknown as Record<string, unknown>, "kill", "process.kill");
  for (const [key, what] of PROCESS_FUNCTIONS) wallOff(process, key, what);
  wallOffGetter(process, "report", "process.report");
  wallOffGetter(process, "stdin", "process.stdin");
  defineProperty(process, "reallyExit", { value: (process as unknown as { reallyExit: unknown }).reallyExit, writable: false, configurable: false });

  for (const name of GLOBAL_FUNCTIONS) {
    // deleted first: from Node 22 WebSocket is a lazy data property, and redefining it in place
    // would load undici, whose WebAssembly parser fails under the address-space limit, unhandled
    delete (globalThis as Record<string, unknown>)[name];
    wallOff(globalThis, name, name);
  }
  // undici (fetch, WebSocket, Response…) loads lazily and then stores an Agent under these
  // symbols, unless one is there already: what is there is walled off. Its connections would go
  // through net.Socket.prototype.connect anyway, walled off below.
  for (const key of UNDICI_DISPATCHERS) {
    defineProperty(globalThis, Symbol.for(key), {
      value: walledObject("undici's global dispatcher (the network)"),
      writable: false,
      configurable: false,
      enumerable: false,
    });
  }
  wallOff(net.Socket.prototype, "connect", "net.Socket.prototype.connect (the network)");
  const pipe = getPrototypeOf((channel as unknown as { _handle: object })._handle) as object;
  for (const method of PIPE_METHODS) wallOff(pipe, method, `a pipe handle's ${method}`);
}
