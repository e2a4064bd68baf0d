import { fisherFromScoreDifferences, trimmedFisherFromScoreDifferences } from '../../../src/core/localize/fisher.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';

describe('trimmedFisherFromScoreDifferences', () => {
  const n = 500;
  const d = 3;
  const normal = gaussian(seededRandom(12));
  const g = Float64Array.from({ length: n * d }, () => normal());

  it('equals the plain mean of squares when nothing is trimmed', () => {
    const plain = fisherFromScoreDifferences(g, n, d);
    const trimmed = trimmedFisherFromScoreDifferences(g, n, d, 0);
    for (let j = 0; j < d; j++) expect(trimmed[j]).toBeCloseTo(plain[j]!, 12);
  });

  it('is not moved by a few extreme rows, which dominate the plain mean', () => {
    const spiked = Float64Array.from(g);
    for (let r = 0; r < 5; r++) spiked[r * d + 1] = 1e4;
    const plain = fisherFromScoreDifferences(spiked, n, d);
    const trimmed = trimmedFisherFromScoreDifferences(spiked, n, d, 0.02);
    const clean = trimmedFisherFromScoreDifferences(g, n, d, 0.02);
    expect(plain[1]).toBeGreaterThan(1e5);
    expect(trimmed[1]).toBeLessThan(2 * clean[1]!);
    expect(trimmed[0]).toBeCloseTo(clean[0]!, 12);
  });

  it('still grows when every row moves', () => {
    const doubled = g.map((v) => 2 * v);
    const a = trimmedFisherFromScoreDifferences(g, n, d, 0.02);
    const b = trimmedFisherFromScoreDifferences(doubled, n, d, 0.02);
    for (let j = 0; j < d; j++) expect(b[j]! / a[j]!).toBeCloseTo(4, 10);
  });
});
