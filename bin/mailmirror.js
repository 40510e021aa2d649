#!/usr/bin/env node
'use strict';
// The headless entry point. `npm run build` first: this loads the compiled CLI.
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'src', 'main', 'host', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('mailmirror: not built yet. Run `npm run build` in ' + path.join(__dirname, '..') + '\n');
  process.exit(1);
}
// Commands release what they opened before they return; exiting then (after stdout and stderr drain)
// keeps idle keep-alive sockets or timers of libraries from holding a finished command open.
const exit = (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
require(cli).main(process.argv.slice(2)).then(exit, (err) => {
  process.stderr.write('mailmirror: ' + (err && err.message ? err.message : String(err)) + '\n');
  exit(1);
});
