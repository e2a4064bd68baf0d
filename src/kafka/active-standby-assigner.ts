/**
 * Partition placement for replicas in one consumer group: every partition of every subscribed topic
 * goes to ONE member, the active replica; the others get nothing and stand by, ready to take over
 * when a rebalance drops the active one (a crash, a kill, a missed session).
 *
 * A model's detectors keep sequential state over all of its windows, and windows draw on every
 * input partition, so splitting partitions across replicas would split a model's state. Until window
 * summaries are merged across replicas, the group keeps one active member and uses the others for
 * fail-over only. Kafka's group protocol still does the placement: this is the assignment strategy
 * the group leader runs, and members tell it, in their subscription's user data, when they became
 * active. The member active most recently keeps the role (a replica that lost its partitions and
 * rejoins does not take them back); with none active, the longest-running member gets it.
 */
import { AssignerProtocol, type Assigner, type GroupMember, type PartitionAssigner } from 'kafkajs';

export const ACTIVE_STANDBY = 'ShiftwatchActiveStandby';

/** What a member says about itself when it joins. */
export interface MemberClaim {
  memberId: string;
  /** When this process started (ms). */
  startedAt: number;
  /** When it last received partitions (ms), or null while it stands by. */
  activeSince: number | null;
}

/** The member that gets every partition: the most recently activated one, else the longest-running one. */
export function chooseActive(claims: readonly MemberClaim[]): string | undefined {
  const ranked = [...claims].sort((a, b) =>
    (b.activeSince ?? -Infinity) - (a.activeSince ?? -Infinity) || a.startedAt - b.startedAt || (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  return ranked[0]?.memberId;
}

/** A member's claim from its subscription metadata; a member that sent none counts as a fresh standby. */
export function decodeClaim(member: GroupMember): MemberClaim {
  const userData = AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.userData;
  try {
    const parsed = JSON.parse(userData?.toString('utf8') ?? '') as Partial<MemberClaim>;
    return {
      memberId: member.memberId,
      startedAt: typeof parsed.startedAt === 'number' ? parsed.startedAt : Number.MAX_SAFE_INTEGER,
      activeSince: typeof parsed.activeSince === 'number' ? parsed.activeSince : null,
    };
  } catch {
    return { memberId: member.memberId, startedAt: Number.MAX_SAFE_INTEGER, activeSince: null };
  }
}

/** The member's own state, read each time it joins. */
export interface ActiveStandbyRole {
  startedAt: number;
  activeSince(): number | null;
}

export function activeStandbyAssigner(role: ActiveStandbyRole): PartitionAssigner {
  return ({ cluster }): Assigner => ({
    name: ACTIVE_STANDBY,
    version: 1,
    async assign({ members, topics }) {
      const active = chooseActive(members.map(decodeClaim));
      const assignment = Object.fromEntries(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId)]));
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: memberId === active ? assignment : {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      const userData = Buffer.from(JSON.stringify({ startedAt: role.startedAt, activeSince: role.activeSince() }));
      return { name: ACTIVE_STANDBY, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData }) };
    },
  });
}
