#!/usr/bin/env node
// The `radar` command. The TypeScript sources are compiled to dist/ by `npm ci` (the `prepare`
// script); point at the build, with a clear message when it is missing.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('radar: the build is missing (dist/src/main.js); run `npm ci` or `npm run build` first\n');
  process.exit(2);
}
const { main } = await import(entry.href);

// SIGINT/SIGTERM ask the command to stop cleanly (runs finish their batch, the database closes);
// a second signal stops at once. The reason names the signal (for the exit code of a poll or
// backfill it cut short: src/cli/run-outcome.ts).
const controller = new AbortController();
let signalled = 0;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    signalled += 1;
    if (signalled > 1) process.exit(130);
    controller.abort(Object.assign(new Error(`interrupted by ${signal}`), { signal }));
  });
}

// A read cut short by a stop may leave a retry timer of Octokit's behind: it must not hold the
// process after the command has finished (unref: this timer alone never keeps it alive).
const exitSoon = () => setTimeout(() => process.exit(), 2_000).unref();
process.exitCode = await main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: { write: (text) => process.stdout.write(text), isTTY: process.stdout.isTTY },
  stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY },
  stdin: process.stdin,
  shutdownSignal: controller.signal,
});
exitSoon();
