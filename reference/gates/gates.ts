/**
 * Scalar gates with the lecture's forward/backward API. Each gate keeps what its backward needs;
 * backward takes dL/dz and returns dL/d(input) for every input, in input order, as an array.
 * Read each class as: forward value, then the local gradient that backward multiplies by dz.
 */

/** z = x + y. Add distributes: dz/dx = dz/dy = 1. */
export class AddGate {
  forward(x: number, y: number): number {
    return x + y;
  }
  backward(dz: number): number[] {
    return [1 * dz, 1 * dz];
  }
}

/** z = x·y. Multiply switches: dz/dx = y, dz/dy = x. */
export class MultiplyGate {
  private x = 0;
  private y = 0;
  forward(x: number, y: number): number {
    this.x = x;
    this.y = y;
    return x * y;
  }
  backward(dz: number): number[] {
    return [this.y * dz, this.x * dz];
  }
}

/** z = max(x, y). Max routes: the whole gradient goes to the larger input (tie: all to x). */
export class MaxGate {
  private xWins = true;
  forward(x: number, y: number): number {
    this.xWins = x >= y;
    return this.xWins ? x : y;
  }
  backward(dz: number): number[] {
    return this.xWins ? [dz, 0] : [0, dz];
  }
}

/** z = e^x. dz/dx = e^x = z. */
export class ExpGate {
  private z = 0;
  forward(x: number): number {
    this.z = Math.exp(x);
    return this.z;
  }
  backward(dz: number): number[] {
    return [this.z * dz];
  }
}

/** z = 1/x. dz/dx = −1/x². */
export class ReciprocalGate {
  private x = 1;
  forward(x: number): number {
    this.x = x;
    return 1 / x;
  }
  backward(dz: number): number[] {
    return [(-1 / (this.x * this.x)) * dz];
  }
}

/** z = a·x. dz/dx = a. */
export class ScaleGate {
  constructor(private readonly a: number) {}
  forward(x: number): number {
    return this.a * x;
  }
  backward(dz: number): number[] {
    return [this.a * dz];
  }
}

/** z = c + x. dz/dx = 1. */
export class OffsetGate {
  constructor(private readonly c: number) {}
  forward(x: number): number {
    return this.c + x;
  }
  backward(dz: number): number[] {
    return [1 * dz];
  }
}

/** z = σ(x) = 1/(1+e^−x). dz/dx = (1 − σ(x))·σ(x), from the forward value alone. */
export class SigmoidGate {
  private z = 0;
  forward(x: number): number {
    // Both branches are the same function; each avoids e^(large) overflow.
    this.z = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    return this.z;
  }
  backward(dz: number): number[] {
    return [(1 - this.z) * this.z * dz];
  }
}
