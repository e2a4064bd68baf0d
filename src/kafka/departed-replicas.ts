/**
 * Shared replicas write under transactional ids of their own (`<base>-<replicaId>`, and
 * `-aggregate` for the aggregator), so a replica killed in the middle of a transaction is fenced
 * only when it comes back under its name; until then its open transaction holds back every
 * read_committed reader of the topics it wrote (the summaries topic, the state topic) for the
 * transaction timeout and the broker's cleanup pass, about 40 s.
 *
 * A replica that takes partitions over therefore ends those transactions itself: the group's
 * commits name the replica that made them (`by`), the group's members name themselves in their
 * subscription (the assigner below), and every replica named by a commit that is no longer a member
 * is fenced under its transactional id, which aborts what it left open. This runs inside the
 * batch that follows the assignment, before the group can complete another rebalance, so a replica
 * coming back under that name joins, and registers its producer, only after the fence.
 */
import { AssignerProtocol, PartitionAssigners, type Admin, type Kafka, type PartitionAssigner } from 'kafkajs';
import type { Logger } from '../logging.js';
import { TransactionalProducer } from './transactional-producer.js';

/**
 * kafkajs's round-robin placement, under its own protocol name (so replicas of earlier versions
 * still agree with it), with the replica id in the subscription's user data.
 */
export function roundRobinNamingReplica(replicaId: string): PartitionAssigner {
  return (config) => {
    const roundRobin = PartitionAssigners.roundRobin(config);
    return {
      ...roundRobin,
      protocol: ({ topics }) => ({
        name: roundRobin.name,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: roundRobin.version, topics, userData: Buffer.from(JSON.stringify({ replicaId })) }),
      }),
    };
  };
}

/** The replica id a member's subscription names, if any. */
export function replicaIdOfMember(memberMetadata: Buffer): string | undefined {
  try {
    const userData = AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData;
    const parsed = JSON.parse(userData?.toString('utf8') ?? '') as { replicaId?: unknown };
    return typeof parsed.replicaId === 'string' && parsed.replicaId !== '' ? parsed.replicaId : undefined;
  } catch {
    return undefined;
  }
}

/** The replica named in commit metadata (`{"by": ...}`, beside whatever else it holds), if any. */
export function committedBy(metadata: string | null | undefined): string | undefined {
  if (metadata === null || metadata === undefined || metadata === '') return undefined;
  try {
    const by = (JSON.parse(metadata) as { by?: unknown }).by;
    return typeof by === 'string' && by !== '' ? by : undefined;
  } catch {
    return undefined;
  }
}

/** Replicas that committed to the group but are neither this one nor among its members now. */
export function departedReplicas(committers: Iterable<string>, members: ReadonlySet<string>, self: string): string[] {
  return [...new Set(committers)].filter((id) => id !== self && !members.has(id)).sort();
}

export interface FenceOptions {
  groupId: string;
  /** The replicas the group's commits name. */
  committers: Iterable<string>;
  self: string;
  /** The transactional id a replica writes under in this group. */
  transactionalIdOf: (replicaId: string) => string;
  transactionTimeoutMs: number;
}

/**
 * Fences the departed replicas of a group (see the file comment); returns the ids fenced. Best
 * effort: a fence that fails (another replica fencing the same id at once, the broker busy) is
 * logged, and the broker ends that transaction after its timeout as it would have anyway.
 */
export async function fenceDepartedReplicas(kafka: Kafka, admin: Admin, options: FenceOptions, logger: Logger): Promise<string[]> {
  const committers = [...options.committers];
  if (committers.every((id) => id === options.self)) return [];
  const fenced: string[] = [];
  try {
    const { groups } = await admin.describeGroups([options.groupId]);
    const members = new Set((groups[0]?.members ?? []).flatMap((m) => replicaIdOfMember(m.memberMetadata) ?? []));
    for (const replicaId of departedReplicas(committers, members, options.self)) {
      const transactionalId = options.transactionalIdOf(replicaId);
      const producer = new TransactionalProducer(kafka, { transactionalId, groupId: options.groupId, transactionTimeoutMs: options.transactionTimeoutMs }, logger);
      try {
        await producer.connect();
        fenced.push(replicaId);
        logger.info(`group ${options.groupId}: replica ${replicaId} committed here but is no longer a member; fenced its transactional id ${transactionalId}, which ends any transaction it left open`);
      } catch (error) {
        logger.warn(`group ${options.groupId}: could not fence departed replica ${replicaId} (transactional id ${transactionalId}); a transaction it left open ends after the broker's timeout`, { error: String(error) });
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    }
  } catch (error) {
    logger.warn(`group ${options.groupId}: could not read its members to fence departed replicas; a transaction one left open ends after the broker's timeout`, { error: String(error) });
  }
  return fenced;
}
