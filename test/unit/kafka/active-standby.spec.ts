/** Which replica gets the input partitions: the most recently activated one, else the longest-running one. */
import { AssignerProtocol } from 'kafkajs';
import { activeStandbyAssigner, chooseActive, decodeClaim, type MemberClaim } from '../../../src/kafka/active-standby-assigner.js';

const claim = (memberId: string, startedAt: number, activeSince: number | null): MemberClaim => ({ memberId, startedAt, activeSince });

describe('chooseActive', () => {
  it('keeps the role with the member activated last, so a replica that lost it does not take it back', () => {
    expect(chooseActive([claim('a', 1, 10), claim('b', 2, 50), claim('c', 0, null)])).toBe('b');
  });

  it('gives it to the longest-running member when none is active, ties broken by member id', () => {
    expect(chooseActive([claim('b', 5, null), claim('a', 7, null), claim('c', 3, null)])).toBe('c');
    expect(chooseActive([claim('b', 5, null), claim('a', 5, null)])).toBe('a');
    expect(chooseActive([])).toBeUndefined();
  });
});

describe('activeStandbyAssigner', () => {
  const cluster = { findTopicPartitionMetadata: (topic: string) => (topic === 'events' ? [0, 1, 2] : [0]).map((partitionId) => ({ partitionId })) };
  const member = (memberId: string, startedAt: number, activeSince: number | null) => {
    const protocol = activeStandbyAssigner({ startedAt, activeSince: () => activeSince })({ cluster } as never).protocol({ topics: ['events', 'labels'] });
    return { memberId, memberMetadata: protocol.metadata };
  };

  it('assigns every partition of every topic to one member and nothing to the others', async () => {
    const assigner = activeStandbyAssigner({ startedAt: 0, activeSince: () => null })({ cluster } as never);
    const members = [member('m-standby', 1, null), member('m-active', 9, 100), member('m-new', 0, null)];
    const result = await assigner.assign({ members, topics: ['events', 'labels'] });
    const decoded = Object.fromEntries(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]));
    expect(decoded).toEqual({ 'm-standby': {}, 'm-active': { events: [0, 1, 2], labels: [0] }, 'm-new': {} });
  });

  it('reads a member without a claim as a fresh standby', () => {
    const metadata = AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['events'], userData: Buffer.from('not json') });
    expect(decodeClaim({ memberId: 'x', memberMetadata: metadata })).toEqual({ memberId: 'x', startedAt: Number.MAX_SAFE_INTEGER, activeSince: null });
  });
});
