/** A classifier's reference bundle fitted from a labelled sample (features x0.., prob_0.., label), for the integration tests of delayed labels. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fitBundle } from '../../src/core/fit/fit-bundle.js';
import { readBundle } from '../../src/core/fit/bundle-io.js';
import type { ReferenceBundle } from '../../src/core/reference/bundle-types.js';
import type { LabelledSample } from '../../src/demo/classification.js';

/** Row `i` of a sample as event features (x0, x1, ...). */
export const featureRow = (s: LabelledSample, i: number) => Object.fromEntries(s.x[i]!.map((v, j) => [`x${j}`, v]));

/** Writes the sample as the reference CSV in `dir`, fits model m1 for windows of `windowSize`, and reads the bundle back. */
export async function fitClassifierBundle(dir: string, reference: LabelledSample, windowSize: number): Promise<ReferenceBundle> {
  const dims = reference.x[0]!.length;
  const classes = reference.probs[0]!.length;
  const header = [...Array.from({ length: dims }, (_, j) => `x${j}`), ...Array.from({ length: classes }, (_, k) => `prob_${k}`), 'label'];
  const lines = reference.x.map((x, i) => [...x, ...reference.probs[i]!, reference.labels[i]!].join(','));
  await writeFile(join(dir, 'ref.csv'), [header.join(','), ...lines].join('\n'));
  await fitBundle({ input: join(dir, 'ref.csv'), model: 'm1', outDir: join(dir, 'b'), windowSize, minEvents: 100, nullReplicates: 200, tests: { alpha: 0.05, correction: 'bh', minFeatureValues: 20 } });
  return readBundle(join(dir, 'b'));
}
