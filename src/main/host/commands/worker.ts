// `mailmirror worker`: workers only, for extra processes (usually with REDIS_URL pointing at a shared
// Redis). Runs until SIGINT/SIGTERM, then closes the workers so no job is left half-done.
import type { CliContext } from '../cli-context';
import { createAppCore } from '../../app-core';
import { parseCommandArgs } from '../args';

export async function workerCommand(ctx: CliContext, args: string[]): Promise<number> {
  parseCommandArgs('worker', args, {});
  const core = await createAppCore(ctx.config, { runWorkers: true });
  ctx.stdout.write(`mailmirror worker running (pid ${process.pid}); stop with Ctrl-C\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await core.close();
  return 0;
}
