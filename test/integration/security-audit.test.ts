// Issue 7: `npm audit` of the production dependencies has no high or critical finding, or each one is explained
// below. It needs the registry's audit endpoint: when that cannot be reached (offline, or a mirror without the
// endpoint) the test is skipped with the reason, never failed.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli';

/**
 * High or critical advisories accepted after review: package name → why it does not affect Mailmirror (or what
 * replaces the fix). Empty: none so far.
 */
const EXPLAINED: Record<string, string> = {};

type AuditReport = {
  auditReportVersion?: number;
  vulnerabilities?: Record<string, { name: string; severity: string; via: unknown[]; isDirect: boolean; fixAvailable: unknown }>;
  metadata?: { vulnerabilities?: Record<string, number>; dependencies?: { prod?: number } };
  message?: string;
  error?: { summary?: string; detail?: string };
};

describe('npm audit of production dependencies', () => {
  it('has no high or critical finding that is not explained', { timeout: 180_000 }, (ctx) => {
    const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    let report: AuditReport | undefined;
    try {
      report = JSON.parse(r.stdout) as AuditReport;
    } catch {
      report = undefined;
    }
    if (!report?.vulnerabilities || !report.metadata?.vulnerabilities) {
      const why = (report?.message ?? report?.error?.summary ?? (r.error?.message || r.stderr.trim().split('\n').pop()) ?? 'no report').trim();
      console.log(`npm audit skipped: the registry's audit endpoint could not be used (${why})`);
      ctx.skip();
      return;
    }
    const serious = Object.values(report.vulnerabilities).filter((v) => v.severity === 'high' || v.severity === 'critical');
    const unexplained = serious.filter((v) => !EXPLAINED[v.name]).map((v) => `${v.name} (${v.severity})`);
    for (const v of serious.filter((x) => EXPLAINED[x.name])) console.log(`npm audit: ${v.name} (${v.severity}) accepted: ${EXPLAINED[v.name]}`);
    console.log(`npm audit (production): ${JSON.stringify(report.metadata.vulnerabilities)}`);
    expect(unexplained).toEqual([]);
  });
});
