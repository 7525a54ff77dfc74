/**
 * The scheduled jobs several radar processes ran, read back from their JSON logs ("job started",
 * then "job finished", "job failed" or "job interrupted ..."), to tell whether a job ever ran in
 * two processes at once. For the shutdown suite and the soak.
 */

export interface JobSpan {
  job: string;
  /** Which process (the caller's name for it). */
  process: string;
  from: number;
  to: number;
  /** The log line that ended it, or "killed" (a process that died with the job open). */
  end: string;
}

/**
 * Each process's jobs from its stderr. A job still open when the log ends was cut off: by a
 * kill at `killedAt` (when given for that process), else it runs until now.
 */
export function jobSpans(
  processes: ReadonlyArray<{ name: string; stderr: string }>,
  killedAt: ReadonlyMap<string, number> = new Map(),
): JobSpan[] {
  const spans: JobSpan[] = [];
  for (const { name, stderr } of processes) {
    const open = new Map<string, number>();
    for (const line of stderr.split('\n')) {
      if (!line.startsWith('{')) continue;
      let log: { msg?: string; job?: string; time?: string };
      try {
        log = JSON.parse(line);
      } catch {
        continue; // a line cut by a kill
      }
      if (!log.job || !log.msg || !log.time) continue;
      const at = Date.parse(log.time);
      if (log.msg === 'job started') open.set(log.job, at);
      else if (open.has(log.job) && /^job (finished|failed|interrupted)/.test(log.msg)) {
        spans.push({ job: log.job, process: name, from: open.get(log.job) as number, to: at, end: log.msg });
        open.delete(log.job);
      }
    }
    for (const [job, from] of open) spans.push({ job, process: name, from, to: killedAt.get(name) ?? Date.now(), end: 'killed' });
  }
  return spans;
}

/** Every pair of spans of one job in two processes whose times overlap. */
export function overlappingSpans(spans: readonly JobSpan[]): string[] {
  const problems: string[] = [];
  for (const a of spans)
    for (const b of spans)
      if (a.job === b.job && a.process < b.process && a.from < b.to && b.from < a.to)
        problems.push(
          `${a.job} ran in ${a.process} (${new Date(a.from).toISOString()}..${new Date(a.to).toISOString()}) and in ${b.process} (${new Date(b.from).toISOString()}..${new Date(b.to).toISOString()}) at once`,
        );
  return problems;
}

/**
 * SQL listing runs of one repo+source whose times overlap (two processes polling it at once):
 * columns a, b (run ids), repo, source.
 */
export const OVERLAPPING_RUNS_SQL = `select a.id as a, b.id as b, repos.full_name as repo, a.source
   from runs a join runs b on a.repo_id = b.repo_id and a.source = b.source and a.id < b.id
   join repos on repos.id = a.repo_id
  where a.started_at < coalesce(b.finished_at, 'infinity') and b.started_at < coalesce(a.finished_at, 'infinity')
  order by a.id, b.id`;
