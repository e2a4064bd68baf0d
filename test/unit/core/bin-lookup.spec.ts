import { lookupBin } from '../../../src/core/window/bin-lookup.js';
import { binIndex, numericEdges } from '../../../src/core/reference/feature-reference.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';

describe('fast bin lookup', () => {
  it('agrees with the binary search everywhere, edges and their neighbours included', () => {
    const normal = gaussian(seededRandom(4));
    for (const transform of [(z: number) => z, (z: number) => Math.exp(2 * z), (z: number) => Math.round(z * 100) / 100]) {
      const sample = Float64Array.from({ length: 5000 }, () => transform(normal())).sort();
      const edges = numericEdges(sample, 512);
      const probes = [...edges, ...edges.map((e) => e + 1e-12), ...edges.map((e) => e - 1e-12), ...Array.from({ length: 5000 }, () => transform(normal() * 1.3))];
      for (const x of probes) expect(lookupBin(edges, x)).toBe(binIndex(edges, x));
    }
  });

  it('falls back to the binary search for few or degenerate edges', () => {
    expect(lookupBin([1, 2, 3], 2.5)).toBe(binIndex([1, 2, 3], 2.5));
    expect(lookupBin([5], 5)).toBe(binIndex([5], 5));
  });
});
