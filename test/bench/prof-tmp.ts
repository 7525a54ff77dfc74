import { loadConfig } from '../../src/config/load.js';
import { listCandidates } from '../../src/editorial/candidates.js';
import { silentLogger } from '../../src/lib/logger.js';
import { parseIsoWeek } from '../../src/lib/time.js';
import { loadEditorialState } from '../../src/store/candidates.js';
import { openDatabase } from '../../src/store/db.js';
import { loadScoringFingerprints } from '../../src/store/scoring.js';
import { countItemsWaitingForScores, loadUnscoredIdsInWindow, loadWeekListings } from '../../src/store/week-scores.js';

const handle = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: '/tmp', logger: silentLogger() });
const config = loadConfig('config/radar.yaml');
const period = parseIsoWeek('2019-W20');
const windowFrom = new Date(period.from.getTime() - 4 * 7 * 86400000);
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  const l = await loadWeekListings(handle.db, windowFrom, period.from);
  const t1 = performance.now();
  await loadUnscoredIdsInWindow(handle.db, windowFrom, period.to);
  const t2 = performance.now();
  await countItemsWaitingForScores(handle.db, []);
  await loadScoringFingerprints(handle.db);
  const t3 = performance.now();
  await loadEditorialState(
    handle.db,
    l.map((x) => x.item),
    period.to,
  );
  const t4 = performance.now();
  const list = await listCandidates(handle.db, config, { period, limit: 200 });
  const t5 = performance.now();
  console.log(
    JSON.stringify({
      rows: l.length,
      listings: (t1 - t0).toFixed(1),
      unscored: (t2 - t1).toFixed(1),
      counts: (t3 - t2).toFixed(1),
      state: (t4 - t3).toFixed(1),
      whole: (t5 - t4).toFixed(1),
      items: list.items.length,
    }),
  );
}
await handle.close();
