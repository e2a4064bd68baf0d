/**
 * The dashboards: the committed JSON is exactly what the sources generate (CI fails when it is
 * stale), every metric they query is in the catalogue, every query is valid PromQL, and the
 * house rules hold (stable uids, datasource variable, numbered panels and queries).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRICS } from '../../../src/metrics/catalog.js';
import { DASHBOARDS, UIDS, dashboardQueries, renderDashboards, substituteVariables } from '../../../dashboards/index.js';
import { EXTERNAL_METRICS } from '../../../dashboards/promql.js';
import { metricNamesIn } from '../../../dashboards/requirements.js';
import { REPO_ROOT, promtool } from '../prometheus-rules/promtool.js';

const REGENERATE = 'npm run build:tools && node dist-tools/dashboards/generate.js';
const rendered = renderDashboards();
const parsed = [...rendered.values()].map((json) => JSON.parse(json) as Record<string, any>);
const queries = dashboardQueries();

/** Catalogue names, plus `_bucket`/`_sum`/`_count` for histograms, plus declared external metrics. */
function knownNames(): Set<string> {
  const names = new Set<string>(Object.values(EXTERNAL_METRICS));
  for (const m of Object.values(METRICS)) {
    names.add(m.name);
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

const panelsOf = (d: Record<string, any>): Record<string, any>[] => (d.panels as Record<string, any>[]).flatMap((p) => [p, ...(p.panels ?? [])]);

describe('dashboards', () => {
  it('are committed exactly as generated', () => {
    const dir = join(REPO_ROOT, 'dashboards');
    const committed = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual([...rendered.keys()].sort());
    for (const [file, json] of rendered) {
      const current = readFileSync(join(dir, file), 'utf8');
      if (current !== json) throw new Error(`dashboards/${file} is stale: regenerate with \`${REGENERATE}\` and commit it`);
    }
  });

  it('query only metrics from the catalogue (or declared external process metrics)', () => {
    const known = knownNames();
    const everywhere = [...rendered.values()].flatMap((json) => json.match(/\b(?:shiftwatch|process|nodejs)_[a-z0-9_]+/g) ?? []);
    expect(everywhere.length).toBeGreaterThan(50);
    expect([...new Set(everywhere.filter((n) => !known.has(n)))]).toEqual([]);
  });

  it('show every catalogued metric somewhere', () => {
    const all = [...rendered.values()].join('\n');
    const unused = Object.entries(METRICS).filter(([, m]) => !all.includes(m.name)).map(([key]) => key);
    expect(unused).toEqual([]); // a new metric needs a panel (dashboards/*.ts) or a reason to stay off them
  });

  it('are valid PromQL once the Grafana variables are substituted (promtool check rules)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftwatch-dashboards-'));
    try {
      const rules = queries.map((q, i) => `      - record: dashboard_query_${i}\n        expr: ${JSON.stringify(substituteVariables(q.expr))}`);
      const file = join(dir, 'queries.yml');
      writeFileSync(file, `groups:\n  - name: dashboard-queries\n    rules:\n${rules.join('\n')}\n`);
      const { status, output } = promtool(['check', 'rules', file]);
      expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining(`SUCCESS: ${queries.length} rules found`) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keep their stable uids, tags and the datasource and model variables', () => {
    expect(parsed.map((d) => d.uid)).toEqual(Object.values(UIDS));
    expect(DASHBOARDS.map((d) => d.file)).toEqual(Object.values(UIDS).map((uid) => `${uid}.json`));
    for (const d of parsed) {
      expect(d.tags).toEqual(expect.arrayContaining(['shiftwatch', 'generated']));
      expect(d.templating.list.map((v: { name: string }) => v.name).slice(0, 2)).toEqual(['datasource', 'model']);
    }
  });

  it('number panels and queries and read from the datasource variable', () => {
    for (const d of parsed) {
      const panels = panelsOf(d);
      expect(panels.map((p) => p.id)).toEqual(panels.map((_, i) => i + 1));
      for (const p of panels.filter((p) => p.type !== 'row')) {
        expect({ panel: p.title, datasource: p.datasource }).toEqual({ panel: p.title, datasource: { type: 'prometheus', uid: '${datasource}' } });
        expect(p.targets.length).toBeGreaterThan(0);
        expect(p.targets.map((t: { refId: string }) => t.refId)).toEqual(p.targets.map((_: unknown, i: number) => String.fromCharCode(65 + i)));
      }
    }
  });

  it('list every query with its dashboard, panel and what it needs', () => {
    const perDashboard = new Map<string, number>();
    for (const q of queries) perDashboard.set(q.dashboard, (perDashboard.get(q.dashboard) ?? 0) + 1);
    expect([...perDashboard.keys()]).toEqual(Object.values(UIDS));
    const total = parsed.reduce((n, d) => n + panelsOf(d).reduce((k, p) => k + (p.targets?.length ?? 0), 0), 0);
    expect(queries).toHaveLength(total);
    for (const q of queries) {
      expect(q.panel).not.toBe('');
      expect(metricNamesIn(q.expr).length).toBeGreaterThan(0);
      expect(substituteVariables(q.expr)).not.toContain('$');
    }
    expect(queries.find((q) => q.expr.includes(METRICS.flowOodFraction.name))?.requires).toEqual(['flow']);
    expect(queries.find((q) => q.expr.includes(EXTERNAL_METRICS.residentMemory))?.requires).toEqual(['process-metrics']);
    expect(queries.find((q) => q.expr.includes(METRICS.driftStatus.name))?.requires).toEqual([]);
  });

  it('substitute variables in both $name and ${name} forms', () => {
    expect(substituteVariables('x{model=~"$model"}[$__rate_interval]', { model: 'fraud-v3' })).toBe('x{model=~"fraud-v3"}[1m]');
    expect(substituteVariables('x{feature=~"${feature}"}')).toBe('x{feature=~".+"}');
  });
});
