/**
 * The grader's own channel to a sandboxed child: length-prefixed JSON frames over a dedicated
 * pipe (fd 3), not Node's IPC channel. Node's IPC trusts the child: internal messages
 * (NODE_HANDLE_ACK …) or corrupt bytes from student code crash the parent, and a child can
 * announce a message of gigabytes. Here every frame is a 4-byte big-endian length and that many
 * bytes of UTF-8 JSON; a frame over the cap, a length that cannot be, or text that is not JSON is
 * a protocol error, which the parent treats as "the child ended".
 * JSON has no NaN or ±Infinity: the child writes them as {"$num": "NaN"} and the parent revives them.
 */

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FrameError";
  }
}

export function encodeFrame(message: unknown, stringify: (v: unknown) => string = JSON.stringify): Buffer {
  const body = Buffer.from(stringify(message), "utf8");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** JSON.parse reviver: {"$num": "NaN" | "Infinity" | "-Infinity"} → that number. */
export function reviveNumbers(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$num") {
      const n = (value as { $num: unknown }).$num;
      if (n === "NaN") return NaN;
      if (n === "Infinity") return Infinity;
      if (n === "-Infinity") return -Infinity;
    }
  }
  return value;
}

/** Splits a byte stream into messages; throws FrameError on anything that is not a valid frame. */
export class FrameDecoder {
  /** Bytes received and not yet decoded, as they came: joined only once a whole frame is there,
   *  so a frame of megabytes arriving in 64 kB chunks is copied once, not once per chunk. */
  private chunks: Buffer[] = [];
  private length = 0;

  /** `parse` is injectable so the sandbox child can use the JSON.parse it captured before student code. */
  constructor(
    private readonly maxBytes: number,
    private readonly parse: (text: string, reviver?: (k: string, v: unknown) => unknown) => unknown = JSON.parse,
  ) {}

  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const messages: unknown[] = [];
    while (this.length >= 4) {
      let head = this.chunks[0];
      if (head.length < 4) head = this.join();
      const length = head.readUInt32BE(0);
      if (length > this.maxBytes) throw new FrameError(`a message of ${length} bytes, over the limit of ${this.maxBytes}`);
      if (this.length < 4 + length) break;
      const buffer = this.chunks.length === 1 ? head : this.join();
      const text = buffer.subarray(4, 4 + length).toString("utf8");
      const rest = buffer.subarray(4 + length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.length = rest.length;
      try {
        // the reviver costs ~5x the parse itself at megabytes: only when a non-finite number is there
        messages.push(text.includes('"$num"') ? this.parse(text, reviveNumbers) : this.parse(text));
      } catch {
        throw new FrameError("a message that is not JSON");
      }
    }
    return messages;
  }

  /** The pending bytes as one buffer (kept as the only chunk). */
  private join(): Buffer {
    const all = Buffer.concat(this.chunks, this.length);
    this.chunks = [all];
    return all;
  }
}
