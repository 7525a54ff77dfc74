/**
 * Learning weights from editor decisions (pure): a logistic regression, regularised (L2), over
 * the same features the scorer uses. A promoted item is a positive example, a dismissed one a
 * negative. The fitted coefficients are log-odds; they are rescaled to the size of the current
 * weights so scores stay comparable, and signals no decision exercised keep their weight.
 */

export interface Sample {
  /** Feature values by signal (absent = 0). */
  x: Record<string, number>;
  y: 0 | 1;
}

export interface Fit {
  weights: Record<string, number>;
  bias: number;
  /** Signals seen in at least one sample. */
  observed: string[];
  iterations: number;
}

export interface FitOptions {
  /** L2 strength (on the coefficients, not the bias). */
  lambda?: number;
  maxIterations?: number;
}

/** Newton's method (iteratively reweighted least squares): exact and fast for tens of signals. */
export function fitLogistic(samples: readonly Sample[], options: FitOptions = {}): Fit {
  const lambda = options.lambda ?? 1;
  const observed = [...new Set(samples.flatMap((s) => Object.keys(s.x).filter((k) => s.x[k] !== 0)))].sort();
  const d = observed.length + 1; // + bias, last
  const rows = samples.map((s) => [...observed.map((k) => s.x[k] ?? 0), 1]);
  let beta = new Array<number>(d).fill(0);
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 50); iterations++) {
    const gradient = new Array<number>(d).fill(0);
    const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    rows.forEach((row, n) => {
      const p = sigmoid(dot(row, beta));
      const error = p - (samples[n] as Sample).y;
      const w = p * (1 - p);
      for (let i = 0; i < d; i++) {
        gradient[i] = (gradient[i] as number) + error * (row[i] as number);
        const hi = hessian[i] as number[];
        for (let j = 0; j < d; j++) hi[j] = (hi[j] as number) + w * (row[i] as number) * (row[j] as number);
      }
    });
    for (let i = 0; i < d - 1; i++) {
      gradient[i] = (gradient[i] as number) + lambda * (beta[i] as number);
      const hi = hessian[i] as number[];
      hi[i] = (hi[i] as number) + lambda;
    }
    (hessian[d - 1] as number[])[d - 1] = ((hessian[d - 1] as number[])[d - 1] as number) + 1e-6;
    const step = solve(hessian, gradient);
    beta = beta.map((b, i) => b - (step[i] as number));
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return {
    weights: Object.fromEntries(observed.map((k, i) => [k, beta[i] as number])),
    bias: beta[d - 1] as number,
    observed,
    iterations,
  };
}

/**
 * New weights: the fitted coefficients scaled to the magnitude of the current weights on the
 * same signals (ranking depends only on their ratios); unexercised signals unchanged.
 */
export function suggestWeights(current: Record<string, number>, fit: Fit): Record<string, number> {
  const size = (weights: Record<string, number>) => fit.observed.reduce((n, k) => n + Math.abs(weights[k] ?? 0), 0);
  const fitted = size(fit.weights);
  const scale = fitted === 0 ? 1 : size(current) / fitted;
  const suggested = { ...current };
  for (const k of fit.observed) suggested[k] = Math.round((fit.weights[k] as number) * scale * 100) / 100;
  return suggested;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** Gaussian elimination with partial pivoting. */
function solve(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const a = matrix.map((row, i) => [...row, vector[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs((a[r] as number[])[col] as number) > Math.abs((a[pivot] as number[])[col] as number)) pivot = r;
    [a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]];
    const p = (a[col] as number[])[col] as number;
    if (Math.abs(p) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = ((a[r] as number[])[col] as number) / p;
      if (factor === 0) continue;
      for (let c = col; c <= n; c++)
        (a[r] as number[])[c] = ((a[r] as number[])[c] as number) - factor * ((a[col] as number[])[c] as number);
    }
  }
  return a.map((row, i) => {
    const p = row[i] as number;
    return Math.abs(p) < 1e-12 ? 0 : (row[n] as number) / p;
  });
}
