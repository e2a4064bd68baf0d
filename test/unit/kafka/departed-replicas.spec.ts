/**
 * Shared replicas name themselves in their group subscription and in their commits, so that a
 * replica taking partitions over can tell which committers left the group (and fence them).
 */
import { AssignerProtocol, type Assigner } from 'kafkajs';
import { committedBy, departedReplicas, fenceDepartedReplicas, replicaIdOfMember, roundRobinNamingReplica } from '../../../src/kafka/departed-replicas.js';
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

describe('fenceDepartedReplicas', () => {
  const members = (...ids: string[]) => ({ groups: [{ members: ids.map((id) => ({ memberMetadata: assigner(id).protocol({ topics: ['events'] }).metadata })) }] });
  const logs: string[] = [];
  const logger = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: () => undefined, debug: () => undefined } as never;
  const options = { groupId: 'g', committers: ['a', 'b', 'c'], self: 'a', transactionalIdOf: (id: string) => `g-${id}`, transactionTimeoutMs: 30_000 };
  beforeEach(() => logs.splice(0));

  it('fences the committers that are not members, under their transactional ids', async () => {
    const registered: string[] = [];
    const kafka = { producer: (o: { transactionalId: string }) => ({ connect: async () => undefined, transaction: async () => { registered.push(o.transactionalId); return { abort: async () => undefined }; }, disconnect: async () => undefined }) } as never;
    expect(await fenceDepartedReplicas(kafka, { describeGroups: async () => members('a', 'b') } as never, options, logger)).toEqual(['c']);
    expect(registered).toEqual(['g-c']);
    expect(logs).toEqual([expect.stringMatching(/^info group g: replica c committed here but is no longer a member; fenced its transactional id g-c/)]);
  });

  it('is best effort: a fence or a member list that fails is logged, and nothing throws', async () => {
    const failing = { producer: () => ({ connect: async () => { throw new Error('CONCURRENT_TRANSACTIONS'); }, disconnect: async () => undefined }) } as never;
    expect(await fenceDepartedReplicas(failing, { describeGroups: async () => members('a') } as never, options, logger)).toEqual([]);
    expect(await fenceDepartedReplicas(failing, { describeGroups: async () => { throw new Error('down'); } } as never, options, logger)).toEqual([]);
    expect(logs).toEqual([
      expect.stringMatching(/^warn group g: could not fence departed replica b/),
      expect.stringMatching(/^warn group g: could not fence departed replica c/),
      expect.stringMatching(/^warn group g: could not read its members/),
    ]);
  });

  it('asks nothing when only this replica committed', async () => {
    const untouchable = {} as never;
    expect(await fenceDepartedReplicas(untouchable, untouchable, { ...options, committers: ['a'] }, logger)).toEqual([]);
  });
});
