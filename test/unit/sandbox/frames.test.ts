/**
 * The grader's channel to a sandboxed child (graders/sandbox/frames.ts): length-prefixed JSON
 * frames decoded from a byte stream however it is cut into chunks (a frame of megabytes arrives in
 * 64 kB pieces; several small frames in one), with NaN and ±Infinity revived, and anything that is
 * not a frame refused.
 */
import { describe, expect, it } from "@jest/globals";
import { FrameDecoder, FrameError, encodeFrame } from "../../../graders/sandbox/frames";

const messages = [{ id: "a", value: [1, 2, 3] }, { id: "b", value: "x".repeat(200_000) }, { id: "c", value: { $num: "NaN" } }, { type: "ready" }];
const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));

describe("the frame decoder", () => {
  it.each([1, 3, 4, 5, 1000, 65_536, stream.length])("decodes the same messages from chunks of %i bytes", (size) => {
    const decoder = new FrameDecoder(1 << 20);
    const out: unknown[] = [];
    for (let at = 0; at < stream.length; at += size) out.push(...decoder.push(stream.subarray(at, at + size)));
    expect(out).toEqual([messages[0], messages[1], { id: "c", value: NaN }, messages[3]]);
  });

  it("keeps a partial frame until the rest comes, then nothing is left over", () => {
    const decoder = new FrameDecoder(1 << 20);
    const one = encodeFrame({ id: "x" });
    expect(decoder.push(one.subarray(0, 2))).toEqual([]);
    expect(decoder.push(one.subarray(2, one.length - 1))).toEqual([]);
    expect(decoder.push(Buffer.concat([one.subarray(one.length - 1), one]))).toEqual([{ id: "x" }, { id: "x" }]);
  });

  it("refuses a frame over the limit as soon as its length is read, and bytes that are not JSON", () => {
    const big = encodeFrame({ value: "y".repeat(100) });
    expect(() => new FrameDecoder(50).push(big.subarray(0, 4))).toThrow(FrameError);
    const bad = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from("{x}")]);
    expect(() => new FrameDecoder(100).push(bad)).toThrow(/not JSON/);
  });
});
