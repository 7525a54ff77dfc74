import { loadConfig } from '../../src/config/load.js';
import { listCandidates } from '../../src/editorial/candidates.js';
import { silentLogger } from '../../src/lib/logger.js';
import { parseIsoWeek } from '../../src/lib/time.js';
import { openDatabase } from '../../src/store/db.js';

const handle = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: '/tmp', logger: silentLogger() });
const config = loadConfig('config/radar.yaml');
const period = parseIsoWeek('2019-W20');
const times: number[] = [];
for (let i = 0; i < 30; i++) {
  const t = performance.now();
  await listCandidates(handle.db, config, { period, limit: 200 });
  times.push(performance.now() - t);
}
console.log(times.map((t) => t.toFixed(0)).join(' '));
await handle.close();
