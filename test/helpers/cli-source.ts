// The `mailmirror` CLI from source through tsx (`node --import tsx src/main/host/cli-bin.ts`), so these tests need
// no `npm run build` first. The built bin/mailmirror.js calls the same main(); test/helpers/cli.ts runs both.
import { addAccount, runCli, spawnCli, type AddAccountResult, type CliEnv, type CliResult, type RunningCli } from './cli';

export { ROOT, waitForConnectUrl, type CliResult, type RunningCli } from './cli';

export function spawnCliSource(args: string[], env: CliEnv): RunningCli {
  return spawnCli(args, env, { from: 'source' });
}

export function runCliSource(args: string[], env: CliEnv, timeoutMs = 120_000): Promise<CliResult> {
  return runCli(args, env, timeoutMs, { from: 'source' });
}

/** `account add --no-browser`, completed by fetching the printed URL and following its redirects. */
export function addAccountSource(env: CliEnv, extraArgs: string[] = []): Promise<AddAccountResult> {
  return addAccount(env, extraArgs, { from: 'source' });
}
