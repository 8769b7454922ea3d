/**
 * "Did you mean …?" on the command line (scripts/suggest.ts): the closest known name by edit
 * distance, compared without case, only when it is close enough to be a slip of the keyboard.
 */
import { describe, expect, it } from "@jest/globals";
import { ASSIGNMENTS } from "../../../graders/cases/case";
import { contractExports } from "../../../graders/contract";
import { checkedExports } from "../../../scripts/cli";
import { closestName } from "../../../scripts/suggest";

describe("the closest name", () => {
  const layers = contractExports("layers");
  const options = ["--watch", "--junit", "--summary", "--classroom", "--help"];

  it.each([
    ["afineBackward", "affineBackward", layers], // a letter left out
    ["reluBakcward", "reluBackward", layers], // two swapped (2 edits)
    ["ReLUForward", "reluForward", layers], // case alone
    ["sigmoidbackward", "sigmoidBackward", layers],
    ["eluBackwards", "eluBackward", layers], // a letter too many
    ["maxout", "maxoutForward", layers], // the beginning of a name
    ["--wach", "--watch", options],
    ["--sumary", "--summary", options],
    ["layer", "layers", ASSIGNMENTS],
    ["two-layer", "two-layer-net", ASSIGNMENTS],
  ] as const)("%s → %s", (word, expected, names) => {
    expect(closestName(word, names)).toBe(expected);
  });

  it.each([
    ["conv2d", layers],
    ["batchnormBackward", layers],
    ["--frobnicate", options],
    ["conv", ASSIGNMENTS],
  ] as const)("%s: nothing is close", (word, names) => {
    expect(closestName(word, names)).toBeUndefined();
  });

  it("the nearest wins over a farther one that is also close; a tie goes to the first listed", () => {
    expect(closestName("tanhForwar", layers)).toBe("tanhForward");
    expect(closestName("ab", ["ax", "xb"])).toBe("ax");
  });

  it("an export filter: known names pass, a misspelt one is one line with the closest", () => {
    expect(checkedExports(["affineBackward", "reluForward"], "layers")).toEqual(["affineBackward", "reluForward"]);
    expect(() => checkedExports(["affineBackward", "afineBackward"], "layers")).toThrow("afineBackward: did you mean affineBackward?");
    expect(() => checkedExports(["conv2d"], "layers")).toThrow(`conv2d is not an export of layers; its exports are ${layers.join(", ")}`);
  });
});
