// The serve child of the scale benchmark (test/bench/scale.ts): the web app as `radar serve`
// builds it, from radar's build (dist/, what `radar serve` runs, so its RSS is the product's
// and not the TypeScript loader's), without the scheduler. Plain JavaScript for that reason.
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const load = (path) => import(join(root, 'dist/src', path));
const [{ loadConfig }, { GitHub }, { silentLogger }, { openDatabase }, { createApp }, { startServer }] = await Promise.all([
  load('config/load.js'),
  load('github/client.js'),
  load('lib/logger.js'),
  load('store/db.js'),
  load('web/app.js'),
  load('web/server.js'),
]);

const request = JSON.parse(process.argv[2]);
const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const handle = await openDatabase({ databaseUrl: request.databaseUrl, dataDir: request.dataDir, logger: silentLogger() });
const config = loadConfig(join(root, 'config/radar.yaml'));
const github = new GitHub({ baseUrl: 'http://127.0.0.1:9', token: 'unused', logger: silentLogger() });
const web = await startServer(
  createApp({
    db: handle.db,
    config,
    clock: { now: () => new Date() },
    logger: silentLogger(),
    github: () => github,
    apiToken: request.apiToken,
  }),
  0,
);
process.send({ type: 'ready', url: web.url, rssMb: maxRssMb() });
process.on('message', async (m) => {
  if (m.type === 'rss') process.send({ type: 'rss', rssMb: maxRssMb() });
  if (m.type === 'stop') {
    await web.close();
    await handle.close();
    process.exit(0);
  }
});
