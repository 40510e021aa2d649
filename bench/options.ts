// The bench's command line (node:util parseArgs): which regimes to run and how big.
import { parseArgs } from 'node:util';

export const REGIMES = ['quota-2026', 'quota-legacy', 'quota-auto-legacy', 'quota-auto-2026', 'cpu', 'cpu-100k', 'scale', 'units', 'first-use', 'incremental', 'search'] as const;
export type Regime = (typeof REGIMES)[number];

export type Options = {
  only: Set<Regime>;
  quick: boolean;
  keep: boolean;
  help: boolean;
  /** The scale regime's mailbox (default 500,000; 20,000 with --quick). */
  scaleMessages?: number;
};

export const USAGE = `Usage: npm run bench -- [options]

  --only <list>   some regimes, comma-separated: quota (the two quota-bound regimes), quota-auto (both auto
                  profile regimes), ${REGIMES.join(', ')}
                  (big or 100k = cpu-100k; naming it turns --100k on); search syncs 100,000 messages
                  (20,000 with --quick) and times Gmail searches over them; scale syncs 500,000 messages
                  (20,000 with --quick) and times the reads of the finished mirror
  --scale-messages <n>
                  the scale regime's mailbox size (also MAILMIRROR_BENCH_SCALE_MESSAGES), e.g. 50000 while
                  developing
  --100k          include the 100k-message run (the default unless MAILMIRROR_BENCH_100K=0)
  --no-100k       skip it
  --quick         smaller mailboxes (a smoke test of the harness itself)
  --keep          keep the data folders in the temp folder
  --help          this text

Environment: MAILMIRROR_BENCH_100K=0 (as --no-100k), MAILMIRROR_BENCH_SCALE_MESSAGES, MAILMIRROR_BENCH_SYNC_NODE_ARGS (Node flags for the sync
process alone, e.g. \`--cpu-prof --cpu-prof-dir=/tmp/prof\`).
`;

function regimesOf(list: string): Set<Regime> {
  const only = new Set<Regime>();
  for (const name of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (name === 'quota') {
      only.add('quota-2026');
      only.add('quota-legacy');
    } else if (name === 'quota-auto') {
      only.add('quota-auto-legacy');
      only.add('quota-auto-2026');
    } else if (name === 'big' || name === '100k') only.add('cpu-100k');
    else if ((REGIMES as readonly string[]).includes(name)) only.add(name as Regime);
    else throw new Error(`unknown regime "${name}" (one of: quota, quota-auto, ${REGIMES.join(', ')})`);
  }
  return only;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  const { tokens } = parseArgs({
    args: argv,
    strict: true,
    tokens: true,
    options: {
      only: { type: 'string' },
      '100k': { type: 'boolean' },
      'no-100k': { type: 'boolean' },
      quick: { type: 'boolean' },
      keep: { type: 'boolean' },
      'scale-messages': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const opts: Options = { only: new Set<Regime>(REGIMES), quick: false, keep: false, help: false };
  let big = env.MAILMIRROR_BENCH_100K !== '0';
  const scaleMessages = (v: string | undefined, from: string): number | undefined => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1000) throw new Error(`${from} must be a whole number of messages, at least 1000 (got "${v}")`);
    return n;
  };
  opts.scaleMessages = scaleMessages(env.MAILMIRROR_BENCH_SCALE_MESSAGES, 'MAILMIRROR_BENCH_SCALE_MESSAGES');
  // In the order given: the last of --100k / --no-100k / --only naming cpu-100k wins.
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    if (t.name === 'only') {
      opts.only = regimesOf(t.value ?? '');
      if (opts.only.has('cpu-100k')) big = true;
    } else if (t.name === '100k') big = true;
    else if (t.name === 'no-100k') big = false;
    else if (t.name === 'quick') opts.quick = true;
    else if (t.name === 'keep') opts.keep = true;
    else if (t.name === 'scale-messages') opts.scaleMessages = scaleMessages(t.value, '--scale-messages');
    else if (t.name === 'help') opts.help = true;
  }
  if (!big) opts.only.delete('cpu-100k');
  return opts;
}
