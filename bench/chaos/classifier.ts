/**
 * The monitored model of the fault scenarios: the picture scenario's 4-class classifier (six
 * numeric inputs and a categorical `channel`, events with `prediction.probs`, delayed labels),
 * fitted without a density flow so a scenario starts in seconds, or with the picture's small flow
 * (a few more seconds) where the scenario needs every detector.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fitBundle, type FitOptions } from '../../src/core/fit/fit-bundle.js';
import { SMALL_FLOW } from '../../tools/picture/scenario.js';
import { clfReferenceCsv, windowMessages, type ScenarioEvent } from '../../tools/picture/scenario-data.js';

export const MODEL = 'clf';

/** Fits the classifier's bundle for windows of `windowSize` into `<dir>/clf-bundle` and returns that path. */
export async function fitClassifier(dir: string, windowSize: number, options: { flow?: boolean } = {}): Promise<string> {
  const csv = join(dir, 'clf.csv');
  await writeFile(csv, clfReferenceCsv(Math.max(5000, 4 * windowSize)));
  const outDir = join(dir, 'clf-bundle');
  // tfjs loads only when a flow is asked for.
  const flowTrainer: FitOptions['flowTrainer'] = options.flow
    ? async (rows, specs) => (await import('../../src/flow/fit-flow.js')).fitFlow(rows, specs, { ...SMALL_FLOW, localization: { windowSize, alpha: 0.05, replicates: 500 } })
    : undefined;
  await fitBundle({
    input: csv, model: MODEL, outDir, version: 'chaos', windowSize, minEvents: 100, nullReplicates: 200, seed: 1, tests: { alpha: 0.05, correction: 'bh', minFeatureValues: 20 },
    ...(flowTrainer ? { flowTrainer } : {}),
  });
  return outDir;
}

/** The service settings for the classifier with count windows of `windowSize`. */
export function classifierSettings(bundle: string, windowSize: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { models: [{ name: MODEL, bundle }], window: { type: 'count', size: windowSize, minEvents: 100 }, ...extra };
}

/** Window `w` of the classifier's traffic: its events and their labels (to be sent later). */
export function classifierWindow(w: number, size: number, shifted = false): { events: ScenarioEvent[]; labels: ScenarioEvent[] } {
  return windowMessages(w, { clf: size, reg: 0 }, shifted);
}
