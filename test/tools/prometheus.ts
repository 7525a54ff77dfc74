/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough to check what
 * /metrics answers: every sample belongs to a family declared by `# TYPE`, label values are
 * quoted and escaped, values are numbers, no series appears twice, histogram buckets grow.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** The value of one series, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every series of a metric name. */
  series(name: string): Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const [index, line] of text.split('\n').entries()) {
    const where = `line ${index + 1}: ${line}`;
    if (line.trim() === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (!name || !type || !/^(counter|gauge|histogram|summary|untyped)$/.test(type)) throw new Error(`bad TYPE, ${where}`);
      if (types.has(name)) throw new Error(`TYPE twice, ${where}`);
      types.set(name, type);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample, ${where}`);
    const [, name = '', rawLabels = '', rawValue = ''] = match;
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < rawLabels.length) {
      const start = LABEL.lastIndex;
      const label = LABEL.exec(rawLabels);
      if (!label || LABEL.lastIndex === start) throw new Error(`bad labels, ${where}`);
      labels[label[1] as string] = (label[2] as string).replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
    const special: Record<string, number> = { nan: Number.NaN, '+inf': Infinity, inf: Infinity, '-inf': -Infinity };
    const value = special[rawValue.toLowerCase()] ?? Number(rawValue);
    if (Number.isNaN(value) && rawValue.toLowerCase() !== 'nan') throw new Error(`bad value, ${where}`);
    const family = [name, name.replace(/_(bucket|sum|count|total)$/, '')].find((n) => types.has(n));
    if (!family) throw new Error(`sample without TYPE, ${where}`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`series twice, ${where}`);
    seen.add(key);
    samples.push({ name, labels, value });
  }
  // Histogram buckets are cumulative and end with +Inf = _count.
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const groups = new Map<string, Sample[]>();
    for (const s of samples.filter((x) => x.name === `${family}_bucket`)) {
      const { le: _, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    for (const buckets of groups.values()) {
      const sorted = [...buckets].sort((a, b) => Number(a.labels.le) - Number(b.labels.le));
      for (let i = 1; i < sorted.length; i++)
        if ((sorted[i]?.value ?? 0) < (sorted[i - 1]?.value ?? 0)) throw new Error(`${family}: buckets not cumulative`);
      if (sorted.at(-1)?.labels.le !== '+Inf') throw new Error(`${family}: no +Inf bucket`);
    }
  }
  const matches = (s: Sample, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    types,
    samples,
    value: (name, labels = {}) => {
      const found = samples.filter((s) => s.name === name && matches(s, labels));
      if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} series`);
      return found[0]?.value;
    },
    series: (name) => samples.filter((s) => s.name === name),
  };
}
