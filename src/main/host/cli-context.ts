// What every CLI command receives. The light commands (account, status, export) use the store-only
// core (src/main/store-core.ts); the others the app core.
import type { AppConfig, ConfigFlags } from '../config';

export type CliContext = {
  config: AppConfig;
  /** The global options as given on the command line (before environment and defaults). */
  flags: ConfigFlags;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** stdout is a terminal: progress bars instead of plain lines. */
  isTTY: boolean;
};
