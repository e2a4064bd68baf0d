import { LabelDelay } from '../../../src/core/replay/label-delay.js';

describe('delayed labels in a replay', () => {
  it('releases a label once its window and `delay` more have closed, per model, in arrival order', () => {
    const d = new LabelDelay(1);
    d.hold({ model: 'a', id: '1', label: 0 }, 0);
    d.hold({ model: 'a', id: '2', label: 1 }, 0);
    d.hold({ model: 'b', id: '3', label: 2 }, 0);
    d.hold({ model: 'a', id: '4', label: 1 }, 1);
    expect(d.release('a', 1)).toEqual([]);
    expect(d.release('a', 2).map((l) => l.id)).toEqual(['1', '2']);
    expect(d.release('a', 2)).toEqual([]);
    expect(d.drain().map((l) => l.id)).toEqual(['4', '3']); // model by model, each in arrival order
  });
  it('with no delay releases a window\'s labels as soon as it closes', () => {
    const d = new LabelDelay(0);
    d.hold({ model: 'a', id: '1', label: 0 }, 3);
    expect(d.release('a', 3)).toEqual([]);
    expect(d.release('a', 4)).toHaveLength(1);
    expect(() => new LabelDelay(-1)).toThrow(RangeError);
  });
});
