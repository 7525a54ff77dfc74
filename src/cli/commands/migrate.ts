import { defineCommand } from '../command.js';

export const migrateCommand = defineCommand({
  name: 'migrate',
  database: 'shared',
  summary: 'bring the database schema up to date (also done at every start)',
  usage: 'migrate',
  help: 'Runs the pending migrations of migrations/ on the configured database.',
  options: {},
  run: async (ctx) => {
    const handle = await ctx.database(); // migrates on open
    ctx.stdout.write(`database schema is up to date (${handle.dialect}: ${handle.location})\n`);
    return 0;
  },
});
