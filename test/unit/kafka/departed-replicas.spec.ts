/**
 * Shared replicas name themselves in their group subscription and in their commits, so that a
 * replica taking partitions over can tell which committers left the group (and fence them).
 */
import { AssignerProtocol, type Assigner } from 'kafkajs';
import { committedBy, departedReplicas, replicaIdOfMember, roundRobinNamingReplica } from '../../../src/kafka/departed-replicas.js';
import { decodePosition, encodePosition } from '../../../src/core/window/partition-clocks.js';

const assigner = (replicaId: string): Assigner => roundRobinNamingReplica(replicaId)({ cluster: {} as never, groupId: 'g', logger: {} as never });

describe('the shared replicas\' assigner', () => {
  it('keeps kafkajs\'s round-robin protocol name and names the replica in the subscription', () => {
    const a = assigner('replica-7');
    const protocol = a.protocol({ topics: ['events', 'labels'] });
    expect(protocol.name).toBe('RoundRobinAssigner');
    expect(AssignerProtocol.MemberMetadata.decode(protocol.metadata)?.topics).toEqual(['events', 'labels']);
    expect(replicaIdOfMember(protocol.metadata)).toBe('replica-7');
  });

  it('reads no replica from a subscription without one', () => {
    const plain = AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['events'], userData: Buffer.alloc(0) });
    expect(replicaIdOfMember(plain)).toBeUndefined();
    expect(replicaIdOfMember(Buffer.from('not metadata'))).toBeUndefined();
  });
});

describe('commits naming their replica', () => {
  it('carry it in the worker\'s position metadata and in the aggregator\'s', () => {
    const metadata = encodePosition({ clock: 5, handled: 10, lanes: { m1: 8 }, by: 'b' });
    expect(decodePosition(metadata)).toEqual({ clock: 5, handled: 10, lanes: { m1: 8 }, by: 'b' });
    expect(committedBy(metadata)).toBe('b');
    expect(committedBy(JSON.stringify({ by: 'c' }))).toBe('c');
    for (const none of [null, undefined, '', '{"v":1}', 'not json', '{"by":3}']) expect(committedBy(none)).toBeUndefined();
  });
});

describe('departedReplicas', () => {
  it('are the committers that are neither this replica nor members now, once each', () => {
    expect(departedReplicas(['a', 'b', 'c', 'b', 'self'], new Set(['a', 'self']), 'self')).toEqual(['b', 'c']);
    expect(departedReplicas(['self'], new Set(), 'self')).toEqual([]);
    expect(departedReplicas([], new Set(['a']), 'self')).toEqual([]);
  });
});
