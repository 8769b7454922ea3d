/**
 * gates.ts: scalar gates with the lecture's forward/backward API.
 *
 * - forward(...) computes the gate's output z AND keeps what backward will need
 *   ("self.x = x  # must keep these around!").
 * - backward(dz) receives dL/dz and returns one gradient per input, in input order,
 *   ALWAYS as an array: [dx] for one input, [dx, dy] for two.
 *   Each gradient is (local gradient) * dz: the chain rule, one gate at a time.
 *
 * Replace each `throw` with your code. Only `ml-matrix` and your own relative files may be
 * imported (these gates need neither).
 */

/** z = x + y. The add gate distributes: both inputs receive dz unchanged. */
export class AddGate {
  forward(x: number, y: number): number {
    // TODO: z = x + y
    // (does backward need x or y? dz/dx = 1, dz/dy = 1)
    throw new Error("AddGate: not implemented yet (TODO in gates.ts)");
  }

  backward(dz: number): number[] {
    // TODO: dx = ...
    // TODO: dy = ...
    // return [dx, dy];
    throw new Error("AddGate: not implemented yet (TODO in gates.ts)");
  }
}

/** z = x * y. The multiply gate switches: each input's gradient is the OTHER input times dz. */
export class MultiplyGate {
  // TODO: fields for what backward needs

  forward(x: number, y: number): number {
    // TODO: z = x * y
    // TODO: keep x and y around: backward needs them
    throw new Error("MultiplyGate: not implemented yet (TODO in gates.ts)");
  }

  backward(dz: number): number[] {
    // TODO: dx = ...  // [dz/dx * dL/dz]
    // TODO: dy = ...  // [dz/dy * dL/dz]
    // return [dx, dy];
    throw new Error("MultiplyGate: not implemented yet (TODO in gates.ts)");
  }
}

/**
 * z = max(x, y). The max gate routes: dz goes to the input that won, the other gets 0.
 * Tie (x === y): all of dz goes to x, none to y.
 */
export class MaxGate {
  // TODO: fields for what backward needs (which input won?)

  forward(x: number, y: number): number {
    // TODO: z = max(x, y); remember the winner (x on a tie)
    throw new Error("MaxGate: not implemented yet (TODO in gates.ts)");
  }

  backward(dz: number): number[] {
    // TODO: dx = ...  (dz if x won, else 0)
    // TODO: dy = ...
    // return [dx, dy];
    throw new Error("MaxGate: not implemented yet (TODO in gates.ts)");
  }
}

/** z = e^x, so dz/dx = e^x. */
export class ExpGate {
  // TODO: fields for what backward needs

  forward(x: number): number {
    // TODO: z = e^x (Math.exp); keep what backward needs
    throw new Error("ExpGate: not implemented yet (TODO in gates.ts)");
  }

  backward(dz: number): number[] {
    // TODO: dx = ...
    // return [dx];
    throw new Error("ExpGate: not implemented yet (TODO in gates.ts)");
  }
}

/** z = 1/x, so dz/dx = -1/x^2. */
export class ReciprocalGate {
  // TODO: fields for what backward needs

  forward(x: number): number {
    // TODO: z = 1 / x; keep what backward needs
    throw new Error("ReciprocalGate: not implemented yet (TODO in gates.ts)");
  }

  backward(dz: number): number[] {
    // TODO: dx = ...
    // return [dx];
    throw new Error("ReciprocalGate: not implemented yet (TODO in gates.ts)");
  }
}

/** z = a * x for a constant a fixed at construction, so dz/dx = a. */
export class ScaleGate {
  readonly a: number;

  constructor(a: number) {
    this.a = a;
  }

  forward(x: number): number {
    // TODO: z = a * x
    throw new Error("ScaleGate: not implemented yet (TODO in gates.ts)");
  }

  backward(dz: number): number[] {
    // TODO: dx = ...
    // return [dx];
    throw new Error("ScaleGate: not implemented yet (TODO in gates.ts)");
  }
}

/** z = c + x for a constant c fixed at construction, so dz/dx = 1. */
export class OffsetGate {
  readonly c: number;

  constructor(c: number) {
    this.c = c;
  }

  forward(x: number): number {
    // TODO: z = c + x
    throw new Error("OffsetGate: not implemented yet (TODO in gates.ts)");
  }

  backward(dz: number): number[] {
    // TODO: dx = ...
    // return [dx];
    throw new Error("OffsetGate: not implemented yet (TODO in gates.ts)");
  }
}

/** z = sigma(x) = 1 / (1 + e^-x), so dz/dx = (1 - sigma(x)) * sigma(x). */
export class SigmoidGate {
  // TODO: fields for what backward needs (keeping z is enough)

  forward(x: number): number {
    // TODO: z = 1 / (1 + e^-x); keep what backward needs
    throw new Error("SigmoidGate: not implemented yet (TODO in gates.ts)");
  }

  backward(dz: number): number[] {
    // TODO: dx = ...  // (1 - z) * z * dz
    // return [dx];
    throw new Error("SigmoidGate: not implemented yet (TODO in gates.ts)");
  }
}
