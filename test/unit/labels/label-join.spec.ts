import { LabelJoiner } from '../../../src/core/labels/label-join.js';

describe('label join', () => {
  const options = { ttlMs: 1000, maxEntries: 100 };

  it('joins labels that arrive after, before, and late relative to their events', () => {
    const j = new LabelJoiner(3, options);
    j.addPrediction('a', 1, 2, 0);
    j.addPrediction('b', 1, 0, 0);
    expect(j.addLabel('a', 2, 10).outcome).toBe('joined');
    expect(j.addLabel('c', 1, 20).outcome).toBe('waiting');
    j.addPrediction('c', 2, 0, 30);
    expect(j.addLabel('b', 1, 900).outcome).toBe('joined');
    expect(j.realized(1)).toEqual({ predictions: 2, labeled: 2, correct: 1, classCounts: [0, 1, 1] });
    expect(j.realized(2)).toEqual({ predictions: 1, labeled: 1, correct: 0, classCounts: [0, 1, 0] });
  });

  it('counts duplicates once', () => {
    const j = new LabelJoiner(2, options);
    j.addPrediction('a', 1, 1, 0);
    expect(j.addLabel('a', 1, 1).outcome).toBe('joined');
    expect(j.addLabel('a', 0, 2).outcome).toBe('duplicate');
    expect(j.realized(1)!.labeled).toBe(1);
    expect(j.addLabel('z', 0, 3).outcome).toBe('waiting');
    expect(j.addLabel('z', 0, 4).outcome).toBe('duplicate');
  });

  it('expires unjoined entries after the time-to-live and reports them', () => {
    const evicted: string[] = [];
    const j = new LabelJoiner(2, options, { evicted: (kind, reason) => evicted.push(`${kind}:${reason}`) });
    j.addPrediction('a', 1, 1, 0);
    j.addLabel('orphan', 1, 500);
    j.addPrediction('b', 1, 1, 999);
    j.expire(1000);
    expect(evicted).toEqual(['prediction:expired']);
    expect(j.addLabel('a', 1, 1001).outcome).toBe('waiting');
    j.expire(1500);
    expect(evicted).toEqual(['prediction:expired', 'label:expired']);
    expect(j.size()).toBe(2);
  });

  it('never holds more than maxEntries and evicts the oldest first', () => {
    const evicted: string[] = [];
    const j = new LabelJoiner(2, { ttlMs: 1e9, maxEntries: 3 }, { evicted: (kind, reason) => evicted.push(`${kind}:${reason}`) });
    for (let i = 0; i < 5; i++) j.addPrediction(`id${i}`, 1, 0, i);
    expect(j.size()).toBe(3);
    expect(evicted).toEqual(['prediction:capacity', 'prediction:capacity']);
    expect(j.addLabel('id0', 0, 10).outcome).toBe('waiting');
    expect(j.addLabel('id4', 0, 11).outcome).toBe('joined');
  });

  it('keeps tallies for a bounded number of windows', () => {
    const j = new LabelJoiner(2, options, {}, 2);
    for (let w = 1; w <= 3; w++) j.addPrediction(`id${w}`, w, 0, 0);
    expect(j.realized(1)).toBeUndefined();
    expect(j.realized(3)!.predictions).toBe(1);
  });
});
