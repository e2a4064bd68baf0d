/**
 * The size limits an output topic enforces, read from the broker at startup: the broker's
 * `message.max.bytes` and each topic's `max.message.bytes` (which defaults to the broker's). The
 * smaller one bounds every send to that topic (send-chunks.ts).
 */
import kafkajs, { type Admin } from 'kafkajs';
import type { Logger } from '../logging.js';

/** Used when the broker does not let us read its configuration (no DescribeConfigs permission): a little under Kafka's default of 1048588. */
export const FALLBACK_LIMIT_BYTES = 1_000_000;

// kafkajs is CommonJS and this enum is not among the exports Node detects by name.
const { ConfigResourceTypes } = kafkajs;
type ConfigResourceTypes = (typeof ConfigResourceTypes)[keyof typeof ConfigResourceTypes];

export async function readTopicLimits<S extends string>(admin: Admin, topics: Readonly<Record<S, string>>, logger: Logger): Promise<Record<S, number>> {
  const sinks = Object.keys(topics) as S[];
  const fallback = () => Object.fromEntries(sinks.map((s) => [s, FALLBACK_LIMIT_BYTES])) as Record<S, number>;
  try {
    const { brokers } = await admin.describeCluster();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        ...brokers.map((b) => ({ type: ConfigResourceTypes.BROKER, name: String(b.nodeId), configNames: ['message.max.bytes'] })),
        ...sinks.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: topics[s], configNames: ['max.message.bytes'] })),
      ],
    });
    const value = (type: ConfigResourceTypes, name: string | undefined, config: string): number | undefined => {
      const r = resources.find((x) => x.resourceType === type && (name === undefined || x.resourceName === name));
      const raw = r?.configEntries.find((e) => e.configName === config)?.configValue;
      const n = Number(raw);
      return raw !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
    };
    const brokerLimits = resources.filter((r) => r.resourceType === ConfigResourceTypes.BROKER).map((r) => value(ConfigResourceTypes.BROKER, r.resourceName, 'message.max.bytes')).filter((n): n is number => n !== undefined);
    const brokerLimit = brokerLimits.length > 0 ? Math.min(...brokerLimits) : FALLBACK_LIMIT_BYTES;
    return Object.fromEntries(sinks.map((s) => [s, Math.min(brokerLimit, value(ConfigResourceTypes.TOPIC, topics[s], 'max.message.bytes') ?? brokerLimit)])) as Record<S, number>;
  } catch (error) {
    logger.warn(`could not read the brokers' message size limits; assuming ${FALLBACK_LIMIT_BYTES} bytes per send`, { error: String(error) });
    return fallback();
  }
}
