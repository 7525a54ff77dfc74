import { describe, expect, it, vi } from 'vitest';
import { coalesce } from '../../src/scheduler/scheduler.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('one scoring pass for the polls of a tick', () => {
  it('runs once at a time, and once more after for all that asked meanwhile', async () => {
    const passes: Array<ReturnType<typeof deferred>> = [];
    const run = coalesce(() => {
      const pass = deferred();
      passes.push(pass);
      return pass.promise;
    });
    const first = run();
    const asked = [run(), run(), run()];
    expect(passes).toHaveLength(1);
    passes[0]?.resolve();
    await first;
    await vi.waitFor(() => expect(passes).toHaveLength(2));
    passes[1]?.resolve();
    await Promise.all(asked);
    expect(passes).toHaveLength(2);
    // Idle again: the next ask starts a pass at once.
    const later = run();
    expect(passes).toHaveLength(3);
    passes[2]?.resolve();
    await later;
  });

  it('a failed pass fails who asked for it, and does not stop the next', async () => {
    const passes: Array<ReturnType<typeof deferred>> = [];
    const run = coalesce(() => {
      const pass = deferred();
      passes.push(pass);
      return pass.promise;
    });
    const first = run();
    const second = run();
    passes[0]?.reject(new Error('database gone'));
    await expect(first).rejects.toThrow('database gone');
    await vi.waitFor(() => expect(passes).toHaveLength(2));
    passes[1]?.resolve();
    await expect(second).resolves.toBeUndefined();
  });
});
