/**
 * Reading a matrix out of an answer for a property check (graders/checks/answers.ts readMatrix):
 * any rectangular shape is read; the first entry that is not a finite number, in row order, is
 * named with what it is. The entries are checked by the judge's walk (judge/answer-form.ts).
 */
import { describe, expect, it } from "@jest/globals";
import { readMatrix, readNumber } from "../../../graders/checks/answers";

describe("readMatrix", () => {
  it("reads a rectangular matrix of finite numbers, of any shape", () => {
    expect(
      readMatrix(
        {
          dx: [
            [1, 2, 3],
            [4, 5, 6],
          ],
        },
        "dx",
      ),
    ).toEqual({
      ok: true,
      value: [
        [1, 2, 3],
        [4, 5, 6],
      ],
    });
    expect(readMatrix({ dx: [[-0]] }, "dx")).toEqual({ ok: true, value: [[-0]] });
  });

  it("names the first entry, in row order, that is not a finite number", () => {
    expect(
      readMatrix(
        {
          dx: [
            [1, 2],
            [NaN, "x"],
          ],
        },
        "dx",
      ),
    ).toEqual({ ok: false, message: "dx[1][0] is number NaN, expected a finite number" });
    expect(
      readMatrix(
        {
          dx: [
            [1, "0.5"],
            [Infinity, 2],
          ],
        },
        "dx",
      ),
    ).toEqual({ ok: false, message: "dx[0][1] is string 0.5, expected a finite number" });
    expect(
      readMatrix(
        {
          dx: [
            [1, 2],
            [3, null],
          ],
        },
        "dx",
      ),
    ).toEqual({ ok: false, message: "dx[1][1] is null, expected a finite number" });
  });

  it("says what is not a matrix", () => {
    expect(readMatrix({ dx: 3 }, "dx")).toEqual({ ok: false, message: "dx is number 3, not a matrix" });
    expect(readMatrix({ dx: [[1, 2], [3]] }, "dx")).toEqual({ ok: false, message: "dx is not rectangular: row 0 has 2 entries, row 1 has 1" });
    expect(readMatrix({ dx: [] }, "dx")).toEqual({ ok: false, message: "dx is an empty array, not a matrix" });
  });
});

describe("readNumber", () => {
  it("reads a finite number, else says what it is", () => {
    expect(readNumber({ loss: 1.5 }, "loss")).toEqual({ ok: true, value: 1.5 });
    expect(readNumber({ loss: NaN }, "loss")).toEqual({ ok: false, message: "loss is number NaN, expected a finite number" });
    expect(readNumber({}, "loss")).toEqual({ ok: false, message: "loss is undefined, expected a finite number" });
  });
});
