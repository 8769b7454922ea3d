/**
 * The frames of a student's stack trace that a student can use: each frame of their own code
 * named by their own file, line and column (`at reluBackward (layers.ts:31:9)`), and nothing else.
 *
 * The child runs the compiled bundle (one file in a temporary folder) without source maps, so its
 * frames point into that bundle; here, in the grader, each one is mapped back through the
 * bundle's own source map (bundle.ts makes it, inline, with paths relative to the submission
 * folder). Mapping here and not in the child: the child's stack text is data it could forge, and
 * a forged frame can only name a position of the student's own bundle, which maps to their own
 * files. Frames anywhere else (Node's internals such as `node:events` or `Socket.emit`, the
 * grader's runner, ml-matrix inside it, `<anonymous>`) are dropped, so the temporary folder's name
 * never reaches a report.
 */
import { SourceMap } from "node:module";

/** A frame line: "at name (location:line:column)" or "at location:line:column". */
const FRAME = /^\s*at (?:(.{1,300}?) \()?([^()\s][^()]*?):(\d+):(\d+)\)?\s*$/;
const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/** At most this many frames are kept (the student's own, innermost first). */
const MAX_FRAMES = 8;

/** Maps stack frames of one compiled bundle (written as `bundleFile`) back to the student's files. */
export class BundleFrames {
  private map: SourceMap | null | undefined;

  constructor(
    private readonly bundleCode: string,
    /** The bundle's file name ("submission.mjs"): a frame is the student's when its location ends with it. */
    private readonly bundleFile: string,
  ) {}

  private sourceMap(): SourceMap | null {
    if (this.map === undefined) {
      const m = INLINE_MAP.exec(this.bundleCode);
      try {
        this.map = m ? new SourceMap(JSON.parse(Buffer.from(m[1], "base64").toString("utf8"))) : null;
      } catch {
        this.map = null;
      }
    }
    return this.map;
  }

  /** One frame of the bundle as "layers.ts:31:9"; null for any other frame, or a position with no source. */
  private where(location: string, line: number, column: number): string | null {
    const tail = location.split(/[\\/]/).pop();
    if (tail !== this.bundleFile || /^node:/.test(location)) return null;
    const entry = this.sourceMap()?.findEntry(line - 1, column - 1);
    if (!entry || !("originalSource" in entry) || typeof entry.originalSource !== "string") return null;
    const source = entry.originalSource.replace(/^(\.\/)+/, "");
    if (source === "" || source.includes(":") || source.startsWith("/") || source.split("/").includes("..")) return null; // not a file of the submission
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  }

  /** The student's frames of `stack`, mapped, one per line ("    at reluBackward (layers.ts:31:9)"); undefined when there are none. */
  frames(stack: string | undefined): string | undefined {
    const out: string[] = [];
    for (const line of (stack ?? "").split("\n")) {
      const m = FRAME.exec(line);
      if (!m) continue;
      const where = this.where(m[2], Number(m[3]), Number(m[4]));
      if (where === null) continue;
      out.push(m[1] ? `    at ${m[1]} (${where})` : `    at ${where}`);
      if (out.length >= MAX_FRAMES) break;
    }
    return out.length > 0 ? out.join("\n") : undefined;
  }
}
