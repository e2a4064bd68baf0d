/**
 * The worker keeps, per window part, the event ids of its prediction rows for the aggregator's label
 * join. Consecutive events mostly land in one part, so `predicted` remembers the last list it added
 * to: the ids must still go to the part each event was put in, and a part read again after it was
 * handed over (a replay from an older commit) must start a list of its own.
 */
import { WorkerHandOff } from '../../../src/core/pipeline/worker-hand-off.js';
import { PartitionClocks } from '../../../src/core/window/partition-clocks.js';
import { emptySummary } from '../../../src/core/window/summary.js';
import type { WindowPart } from '../../../src/core/window/windower.js';

const part = (partitionKey: string, id: string): WindowPart => ({ id, partitionKey, keyClock: 0, keyOffset: 0, firstOffset: 0, endOffset: 1, summary: emptySummary([]) });

function idsOf(handOff: WorkerHandOff, model: string, p: WindowPart): (string | null)[] | undefined {
  const record = handOff.windowRecord(model, p, true);
  return record.kind === 'window' ? record.ids : undefined;
}

describe('the worker\'s event ids per window part', () => {
  it('go to the part of each event when events alternate between models, partitions and windows', () => {
    const handOff = new WorkerHandOff(new PartitionClocks(2000), 1000);
    handOff.predicted('m', 'events/0', 'w1', 'a');
    handOff.predicted('m', 'events/0', 'w1', undefined);
    handOff.predicted('m', 'events/1', 'w1', 'b');
    handOff.predicted('n', 'events/1', 'w1', 'c');
    handOff.predicted('m', 'events/0', 'w2', 'd');
    handOff.predicted('m', 'events/0', 'w1', 'e');
    expect(idsOf(handOff, 'm', part('events/0', 'w1'))).toEqual(['a', null, 'e']);
    expect(idsOf(handOff, 'm', part('events/1', 'w1'))).toEqual(['b']);
    expect(idsOf(handOff, 'n', part('events/1', 'w1'))).toEqual(['c']);
    expect(idsOf(handOff, 'm', part('events/0', 'w2'))).toEqual(['d']);
  });

  it('start afresh for a part read again after it was handed over, or after its partition was lost and came back', () => {
    const handOff = new WorkerHandOff(new PartitionClocks(2000), 1000);
    handOff.dropLost(new Set(['events/0']));
    handOff.predicted('m', 'events/0', 'w1', 'a');
    expect(idsOf(handOff, 'm', part('events/0', 'w1'))).toEqual(['a']);
    handOff.predicted('m', 'events/0', 'w1', 'a');
    handOff.predicted('m', 'events/0', 'w1', 'b');
    expect(idsOf(handOff, 'm', part('events/0', 'w1'))).toEqual(['a', 'b']);

    handOff.predicted('m', 'events/0', 'w2', 'c');
    handOff.dropLost(new Set());
    handOff.dropLost(new Set(['events/0']));
    handOff.predicted('m', 'events/0', 'w2', 'c');
    expect(idsOf(handOff, 'm', part('events/0', 'w2'))).toEqual(['c']);
  });
});
