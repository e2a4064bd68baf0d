import { entryBytes, LabelJoiner, LABEL_ENTRY_BYTES, PREDICTION_ENTRY_BYTES } from '../../../src/core/labels/label-join.js';

describe('label join', () => {
  const options = { ttlMs: 1000, maxEntries: 100 };

  it('joins labels that arrive after, before, and late relative to their events', () => {
    const j = new LabelJoiner(3, options);
    expect(j.addPrediction('a', 'w1', 2, 0)).toBe(false);
    j.addPrediction('b', 'w1', 0, 0);
    expect(j.addLabel('a', 2, 10).outcome).toBe('joined');
    expect(j.addLabel('c', 1, 20).outcome).toBe('waiting');
    // The label came first: recording the prediction joins it, and says so.
    expect(j.addPrediction('c', 'w2', 0, 30)).toBe(true);
    expect(j.addLabel('b', 1, 900).outcome).toBe('joined');
    expect(j.realized('w1')).toEqual({ predictions: 2, labeled: 2, correct: 1, classCounts: [0, 1, 1] });
    expect(j.realized('w2')).toEqual({ predictions: 1, labeled: 1, correct: 0, classCounts: [0, 1, 0] });
  });

  it('counts duplicates once', () => {
    const j = new LabelJoiner(2, options);
    j.addPrediction('a', 'w1', 1, 0);
    expect(j.addLabel('a', 1, 1).outcome).toBe('joined');
    expect(j.addLabel('a', 0, 2).outcome).toBe('duplicate');
    expect(j.realized('w1')!.labeled).toBe(1);
    expect(j.addLabel('z', 0, 3).outcome).toBe('waiting');
    expect(j.addLabel('z', 0, 4).outcome).toBe('duplicate');
  });

  it('expires unjoined entries after the time-to-live and reports them', () => {
    const evicted: string[] = [];
    const j = new LabelJoiner(2, options, { evicted: (kind, reason) => evicted.push(`${kind}:${reason}`) });
    j.addPrediction('a', 'w1', 1, 0);
    j.addLabel('orphan', 1, 500);
    j.addPrediction('b', 'w1', 1, 999);
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
    for (let i = 0; i < 5; i++) j.addPrediction(`id${i}`, 'w1', 0, i);
    expect(j.size()).toBe(3);
    expect(evicted).toEqual(['prediction:capacity', 'prediction:capacity']);
    expect(j.addLabel('id0', 0, 10).outcome).toBe('waiting');
    expect(j.addLabel('id4', 0, 11).outcome).toBe('joined');
  });

  it('keeps tallies for a bounded number of windows', () => {
    const j = new LabelJoiner(2, options, {}, 2);
    for (let w = 1; w <= 3; w++) j.addPrediction(`id${w}`, `w${w}`, 0, 0);
    expect(j.realized('w1')).toBeUndefined();
    expect(j.realized('w3')!.predictions).toBe(1);
  });
});

describe('label join byte budget', () => {
  it('estimates each entry from its kind and id, and holds the sum', () => {
    const j = new LabelJoiner(2, { ttlMs: 1e9, maxEntries: 1e9 });
    j.addPrediction('req-0001', 'w1', 0, 0);
    j.addLabel('req-0002', 1, 0);
    expect(j.bytesHeld()).toBe(entryBytes('req-0001', 'prediction') + entryBytes('req-0002', 'label'));
    expect(entryBytes('req-0001', 'prediction')).toBe(PREDICTION_ENTRY_BYTES + 8);
    expect(entryBytes('Zürich-1', 'label')).toBe(LABEL_ENTRY_BYTES + 8);
    expect(entryBytes('東京-1', 'label')).toBe(LABEL_ENTRY_BYTES + 8);
    // A label joining its waiting prediction replaces it: the bytes follow.
    j.addPrediction('req-0002', 'w1', 1, 1);
    expect(j.bytesHeld()).toBe(entryBytes('req-0001', 'prediction') + entryBytes('req-0002', 'prediction'));
  });

  it('evicts the oldest entries beyond maxBytes, counted as bytes, and never holds more', () => {
    const evicted: string[] = [];
    const per = entryBytes('id00', 'prediction');
    const j = new LabelJoiner(2, { ttlMs: 1e9, maxEntries: 1e9, maxBytes: 10 * per }, { evicted: (kind, reason) => evicted.push(`${kind}:${reason}`) });
    for (let i = 0; i < 25; i++) {
      j.addPrediction(`id${String(i).padStart(2, '0')}`, 'w1', 0, i);
      expect(j.bytesHeld()).toBeLessThanOrEqual(10 * per);
    }
    expect(j.size()).toBe(10);
    expect(evicted).toEqual(Array.from({ length: 15 }, () => 'prediction:bytes'));
    expect(j.addLabel('id14', 0, 30).outcome).toBe('waiting'); // evicted
    expect(j.addLabel('id24', 0, 31).outcome).toBe('joined');
  });

  it('gives the bytes back as entries expire', () => {
    const j = new LabelJoiner(2, { ttlMs: 100, maxEntries: 1e9 });
    for (let i = 0; i < 50; i++) j.addPrediction(`p${i}`, 'w1', 0, 0);
    expect(j.bytesHeld()).toBeGreaterThan(0);
    j.expire(100);
    expect({ size: j.size(), bytes: j.bytesHeld() }).toEqual({ size: 0, bytes: 0 });
  });
});
