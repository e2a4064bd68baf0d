/**
 * The shiftwatch dashboards: built from typed builders, numbered (panel ids, query refIds) so the
 * JSON is stable, rendered to the files committed under `dashboards/`, and listed query by query
 * for tests that run them against a real Prometheus.
 */
import type { Dashboard, DashboardBuilder, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { refId } from './common.js';
import { fleetDashboard } from './fleet.js';
import { healthDashboard } from './health.js';
import { modelDetailDashboard } from './model-detail.js';
import { requirementsOf, type Requirement } from './requirements.js';

export { UIDS } from './common.js';
export type { Requirement } from './requirements.js';

/** Each dashboard and the file it is committed as, under `dashboards/`. */
export const DASHBOARDS: ReadonlyArray<{ file: string; build: () => DashboardBuilder }> = [
  { file: 'shiftwatch-fleet.json', build: fleetDashboard },
  { file: 'shiftwatch-model.json', build: modelDetailDashboard },
  { file: 'shiftwatch-health.json', build: healthDashboard },
];

type AnyPanel = Panel | RowPanel;
/** What every target here is: a Prometheus query (the SDK types targets as an opaque variant). */
interface PromTarget { refId?: string; expr?: string; instant?: boolean }
const targets = (p: Panel): PromTarget[] => (p.targets ?? []) as unknown as PromTarget[];
const isRow = (p: AnyPanel): p is RowPanel => p.type === 'row';

/** Every panel, rows included, in order (a collapsed row holds its panels). */
function allPanels(d: Dashboard): AnyPanel[] {
  return (d.panels ?? []).flatMap((p) => (isRow(p) ? [p, ...(p.panels ?? [])] : [p]));
}

/** Builds one dashboard and numbers its panels 1, 2, ... and each panel's queries A, B, ... */
export function buildDashboard(build: () => DashboardBuilder): Dashboard {
  const d = build().build();
  allPanels(d).forEach((p, i) => {
    p.id = i + 1;
    if (!isRow(p)) targets(p).forEach((t, j) => (t.refId = refId(j)));
  });
  return d;
}

/** The JSON written to `dashboards/<file>`: two-space indent, trailing newline. */
export function renderDashboards(): Map<string, string> {
  return new Map(DASHBOARDS.map(({ file, build }) => [file, `${JSON.stringify(buildDashboard(build), null, 2)}\n`]));
}

export interface DashboardQuery {
  /** Dashboard uid (`shiftwatch-fleet`, `shiftwatch-model`, `shiftwatch-health`). */
  dashboard: string;
  panel: string;
  refId: string;
  /** PromQL with Grafana variables left in; see QUERY_VARIABLES and substituteVariables. */
  expr: string;
  /** The panel runs it as an instant query (tables, "now" stats); otherwise as a range query. */
  instant: boolean;
  /** What the query needs before it returns data; empty: any running shiftwatch with a model. */
  requires: Requirement[];
}

/** Every PromQL expression of every panel, dashboard by dashboard. Variable queries are not included. */
export function dashboardQueries(): DashboardQuery[] {
  return DASHBOARDS.flatMap(({ build }) => {
    const d = buildDashboard(build);
    return allPanels(d).flatMap((p) =>
      isRow(p) ? [] : targets(p).map((t) => {
        const expr = t.expr ?? '';
        return { dashboard: d.uid ?? '', panel: p.title ?? '', refId: t.refId ?? '', expr, instant: t.instant === true, requires: requirementsOf(expr) };
      }),
    );
  });
}

/**
 * The Grafana variables that appear in the expressions, with a value that selects everything.
 * `model`, `feature` and `estimator` only ever appear inside `=~"..."` matchers, so any regular
 * expression (or a plain name) is a valid substitute; `$__rate_interval` is a range duration.
 */
export const QUERY_VARIABLES = {
  model: '.+',
  feature: '.+',
  estimator: '.+',
  __rate_interval: '1m',
} as const;

export type QueryVariable = keyof typeof QUERY_VARIABLES;

/** Replaces `$name` and `${name}` by the given values, defaulting to QUERY_VARIABLES. */
export function substituteVariables(expr: string, values: Partial<Record<QueryVariable, string>> = {}): string {
  const all: Record<string, string> = { ...QUERY_VARIABLES, ...values };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced?: string, bare?: string) => all[(braced ?? bare)!] ?? match);
}
