import { silentLogger } from '../../src/lib/logger.js';
import { openDatabase } from '../../src/store/db.js';
import { growStore, snapshotSeed } from './grow-store.js';

const handle = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: '/tmp', logger: silentLogger() });
await snapshotSeed(handle.db);
console.log(await growStore(handle.db, Number(process.env.TARGET)));
await handle.close();
