/**
 * Windows over one partition read in order, for callers that feed events directly (benchmarks,
 * detector fixtures): each added event returns the windows it released, as the monitor would.
 */
import type { FeatureReference } from '../reference/bundle-types.js';
import type { FeatureValue } from '../contract/event.js';
import type { EventExtras, SummaryExtras } from './summary.js';
import { PartitionClocks } from './partition-clocks.js';
import { ModelWindower, type ClosedWindow, type WindowSpec } from './windower.js';

const PARTITION = 'events/0';

export class SinglePartitionWindower {
  private readonly clocks = new PartitionClocks(Infinity);
  private readonly windower: ModelWindower;
  private offset = 0;

  constructor(refs: readonly FeatureReference[], spec: WindowSpec, extras: SummaryExtras = {}) {
    this.windower = new ModelWindower(refs, spec, extras);
  }

  add(features: Readonly<Record<string, FeatureValue>>, ts: number, event: EventExtras = {}): ClosedWindow[] {
    const at = { partitionKey: PARTITION, offset: this.offset++, clockBefore: this.clocks.observe(PARTITION, ts, 0), replayed: false };
    this.windower.add(features, ts, at, event);
    return this.windower.release(this.clocks);
  }
}
