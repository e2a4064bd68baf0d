/**
 * The Prometheus rules under deploy/prometheus: valid (`promtool check rules`), passing their unit
 * tests (`promtool test rules`), written against catalogued metrics and label values, and with a
 * firing and a silent test case for every alert.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DRIFT_STATUS_VALUE, INGEST_OUTCOMES, METRICS, PUBLISH_OUTCOMES, SINKS } from '../../../src/metrics/catalog.js';
import { REPO_ROOT, promtool } from './promtool.js';

const RULES_DIR = 'deploy/prometheus/rules';
const TESTS_DIR = 'deploy/prometheus/tests';
const files = (dir: string) => readdirSync(join(REPO_ROOT, dir)).filter((f) => f.endsWith('.yml')).sort().map((f) => `${dir}/${f}`);

interface Rule { alert?: string; record?: string; expr: string }
interface AlertCase { alertname: string; exp_alerts?: unknown[] }
const rules: Rule[] = files(RULES_DIR).flatMap((f) =>
  (parse(readFileSync(join(REPO_ROOT, f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules));
const cases: AlertCase[] = files(TESTS_DIR).flatMap((f) =>
  (parse(readFileSync(join(REPO_ROOT, f), 'utf8')) as { tests: { alert_rule_test?: AlertCase[] }[] }).tests.flatMap((t) => t.alert_rule_test ?? []));

describe('Prometheus rules', () => {
  it('has rule files and test files', () => {
    expect(files(RULES_DIR).length).toBeGreaterThan(0);
    expect(files(TESTS_DIR).length).toBe(files(RULES_DIR).length);
  });

  it('passes promtool check rules', () => {
    const { status, output } = promtool(['check', 'rules', ...files(RULES_DIR)]);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('passes its promtool unit tests', () => {
    const { status, output } = promtool(['test', 'rules', ...files(TESTS_DIR)]);
    expect({ status, output }).toEqual({ status: 0, output: expect.not.stringContaining('FAILED') });
  });

  it('has, for every alert, a test case where it fires and one where it stays silent', () => {
    const missing: string[] = [];
    for (const name of rules.flatMap((r) => (r.alert ? [r.alert] : []))) {
      const mine = cases.filter((c) => c.alertname === name);
      if (!mine.some((c) => (c.exp_alerts ?? []).length > 0)) missing.push(`${name}: no case that fires`);
      if (!mine.some((c) => (c.exp_alerts ?? []).length === 0)) missing.push(`${name}: no case that stays silent`);
    }
    expect(missing).toEqual([]);
  });

  it('only uses catalogued metric names', () => {
    const known = new Set(Object.values(METRICS).map((m) => m.name));
    const used = rules.flatMap((r) => r.expr.replace(/"[^"]*"/g, '""').match(/\bshiftwatch_[a-z0-9_]+/g) ?? []);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((n) => !known.has(n))).toEqual([]);
  });

  it('only matches label values that the service can export', () => {
    const allowed: Record<string, readonly string[]> = { sink: SINKS, outcome: [...INGEST_OUTCOMES, ...PUBLISH_OUTCOMES] };
    const wrong = rules.flatMap((r) =>
      [...r.expr.matchAll(/\b(sink|outcome)\s*!?=\s*"([^"]*)"/g)].filter(([, label, v]) => !allowed[label!]!.includes(v!)).map(([m]) => m));
    expect(wrong).toEqual([]);
  });

  it('reads drift from the catalogue\'s status value', () => {
    const drift = rules.find((r) => r.alert === 'ShiftwatchModelDrift');
    expect(drift?.expr).toContain(`== ${DRIFT_STATUS_VALUE.drift}`);
  });
});
