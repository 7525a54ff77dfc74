// Build step (npm run build): writes the embedded database's template (src/store/pglite-template.ts).
import { templateFile, writeTemplate } from './pglite-template.js';

await writeTemplate();
process.stdout.write(`wrote ${templateFile()}\n`);
