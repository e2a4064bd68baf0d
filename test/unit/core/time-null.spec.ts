import { chunkStarts, degreesOfFreedom, fitTimeNull, scoreTimeNull } from '../../../src/core/detect/time-null.js';
import { gaussian, seededRandom } from '../../../src/core/random.js';

const normal = gaussian(seededRandom(11));
const draw = (n: number, mean = 0, sd = 1) => Array.from({ length: n }, () => mean + sd * normal());

describe('time-ordered null', () => {
  it('with chunks no more varied than iid windows: no excess, p-values as from iid noise, many degrees of freedom', () => {
    const n = fitTimeNull({ rows: 500, chunkSeries: [draw(60), draw(60)], iid: draw(400) });
    expect(n.chunks).toBe(60);
    expect(n.excessVar).toBeLessThan(0.3);
    expect(degreesOfFreedom(n)).toBeGreaterThan(50);
    expect(scoreTimeNull(n, n.center + 3).pValue).toBeLessThan(0.01);
  });

  it('with chunks that swing (a daily cycle): the excess absorbs the swing, so a seasonal value is not significant', () => {
    const cycle = Array.from({ length: 120 }, (_, i) => 4 * Math.sin((2 * Math.PI * i) / 12) + normal());
    const n = fitTimeNull({ rows: 500, chunkSeries: [cycle], iid: draw(300) });
    expect(n.excessVar).toBeGreaterThan(5);
    expect(n.lag1).toBeGreaterThan(0.7);
    expect(scoreTimeNull(n, 4).pValue).toBeGreaterThan(0.05);
    // A value far beyond anything the chunks reached is still evidence.
    expect(scoreTimeNull(n, 40).pValue).toBeLessThan(1e-5);
  });

  it('never gives a p-value below the chunks\' own empirical one inside their range, and extrapolates beyond it', () => {
    // Skewed chunks: a normal fit would call 6 rare, the chunks themselves reached it twice.
    const chunks = [...draw(98, 0, 0.5), 6, 7];
    const n = fitTimeNull({ rows: 100, chunkSeries: [chunks], iid: draw(200, 0, 0.5) });
    expect(scoreTimeNull(n, 6).pValue).toBeGreaterThanOrEqual(3 / 101);
    expect(scoreTimeNull(n, 8).pValue).toBeLessThanOrEqual(1 / 101);
  });

  it('takes the center of unseen rows when given, keeping only the chunks-minus-iid shift', () => {
    const n = fitTimeNull({ rows: 100, chunkSeries: [draw(50, 2)], iid: draw(200, 2), iidCenter: 0 });
    expect(Math.abs(n.center)).toBeLessThan(0.5);
  });

  it('falls back to iid noise alone without two chunks', () => {
    const n = fitTimeNull({ rows: 100, chunkSeries: [[1.5]], iid: draw(100) });
    expect(n.chunks).toBe(0);
    expect(n.excessVar).toBe(0);
    expect(n.sorted).toEqual([]);
  });

  it('cuts disjoint chunks at two offsets', () => {
    expect(chunkStarts(1000, 300)).toEqual([[0, 300, 600], [150, 450]]);
    expect(chunkStarts(100, 300)).toEqual([]);
  });
});
