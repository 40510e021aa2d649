// Runs the CLI from source (`node --import tsx src/main/host/cli-bin.ts …`): what the tests use, so
// they need no prior build. bin/mailmirror.js does the same with the compiled file.
import { main } from './cli';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mailmirror: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
