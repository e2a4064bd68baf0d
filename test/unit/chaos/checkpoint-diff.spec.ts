/** The crash loop's comparison of two checkpoints: what counts as a difference, and the label-fed part reported apart. */
import { compareCheckpoints } from '../../../bench/chaos/checkpoint-diff.js';
import type { ModelCheckpoint } from '../../../src/core/detectors/state-codec.js';

const checkpoint = (change: (c: ModelCheckpoint) => void = () => undefined): ModelCheckpoint => {
  const c: ModelCheckpoint = {
    model: 'clf', closedThrough: { 'e/1': 600, 'e/0': 900 }, releasedUntil: null, windowsClosed: 5,
    detectors: {
      'feature-shift': { stateVersion: 1, state: { drift: { cusum: 0.5 } } },
      'accuracy-floor': { stateVersion: 2, state: { drift: { cusum: 0 }, backtest: { labelled: [1, 2], pending: [] } } },
    },
  };
  change(c);
  return c;
};

describe('comparing checkpoints', () => {
  it('finds equal checkpoints equal, whatever the order of their partitions', () => {
    const diff = compareCheckpoints(checkpoint(), checkpoint((c) => (c.closedThrough = { 'e/0': 900, 'e/1': 600 })));
    expect(diff.differences).toEqual([]);
    expect(diff.compared).toEqual(['windowsClosed', 'closedThrough', 'releasedUntil', 'detector:accuracy-floor', 'detector:feature-shift']);
    expect(diff.labelFed).toEqual({ 'accuracy-floor.backtest': { equal: true, windowsLearned: [2, 2] } });
  });

  it('names every part that differs, and a missing detector', () => {
    const other = checkpoint((c) => {
      c.windowsClosed = 6;
      c.detectors['feature-shift']!.state = { drift: { cusum: 0.7 } };
      delete c.detectors['accuracy-floor'];
    });
    expect(compareCheckpoints(checkpoint(), other).differences).toEqual(['windowsClosed', 'detector:accuracy-floor', 'detector:feature-shift']);
    expect(compareCheckpoints(undefined, other).differences).toEqual(['no checkpoint of the crash loop']);
  });

  it('reports accuracy-floor\'s backtest apart, but not the rest of its state', () => {
    const learnedMore = checkpoint((c) => (c.detectors['accuracy-floor']!.state = { drift: { cusum: 0 }, backtest: { labelled: [1, 2, 3], pending: [] } }));
    const diff = compareCheckpoints(checkpoint(), learnedMore);
    expect(diff.differences).toEqual([]);
    expect(diff.labelFed).toEqual({ 'accuracy-floor.backtest': { equal: false, windowsLearned: [2, 3] } });
    const driftMoved = checkpoint((c) => (c.detectors['accuracy-floor']!.state = { drift: { cusum: 1 }, backtest: { labelled: [1, 2], pending: [] } }));
    expect(compareCheckpoints(checkpoint(), driftMoved).differences).toEqual(['detector:accuracy-floor']);
  });
});
