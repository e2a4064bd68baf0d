/**
 * The fault suite's short versions (bench/chaos/, `npm run chaos`), asserting its targets on a real
 * broker with real `shiftwatch serve` processes: the full fuzz on the test broker, two broker
 * restarts (one SIGTERM, one SIGKILL) on a broker of the scenario's own, and a crash loop of a few
 * SIGKILLs on a 3-partition topic against an uninterrupted run.
 */
import { runFuzz } from '../../bench/chaos/fuzz.js';
import { runBrokerRestarts } from '../../bench/chaos/broker-restarts.js';
import { runCrashloop } from '../../bench/chaos/crashloop.js';
import { testBrokers } from '../support/kafka-env.js';

const log = (line: string) => {
  if (process.env.SHIFTWATCH_CHAOS_VERBOSE) process.stderr.write(`${line}\n`);
};

describe('fault suite, short versions', () => {
  it('fuzz: 10,000 malformed messages of over 40 kinds, a 5,000-message burst and 900 KB+ messages, all accounted for', async () => {
    const { line, missed, details } = await runFuzz(new Map([['brokers', testBrokers().join(',')]]), log);
    expect(missed).toEqual([]);
    expect(line).toMatchObject({ scenario: 'fuzz', unaccounted: 0, stalled: false });
    expect(Object.keys(line)).toEqual(['scenario', 'sent', 'accepted', 'deadLettered', 'unaccounted', 'stalled', 'kinds']);
    expect(line.kinds).toBeGreaterThanOrEqual(40);
    expect(line.sent - line.accepted).toBe(line.deadLettered);
    const d = details as { malformedSent: number; burst: number; truncatedDeadLetters: number; duplicateDeadLetters: number; byKind: Record<string, { sent: number; deadLettered: number; reasons: Record<string, number> }> };
    expect(d.malformedSent).toBeGreaterThanOrEqual(10_000);
    expect(d.burst).toBe(5000);
    expect(d.duplicateDeadLetters).toBe(0);
    // What the service does with some kinds is pinned by the contract:
    const all = (kind: string, reason: string) => expect([kind, d.byKind[kind]!.reasons[reason]]).toEqual([kind, d.byKind[kind]!.sent]);
    all('ts_1e300', 'timestamp_out_of_range');
    all('ts_year_9999', 'timestamp_out_of_range');
    all('ts_before_2000', 'timestamp_out_of_range');
    all('categorical_as_number', 'wrong_type');
    all('numeric_as_string', 'wrong_type');
    all('big_malformed_json', 'malformed_json');
    all('big_key_bad_value', 'malformed_json');
    all('label_beyond_classes', 'invalid_field');
    expect(d.truncatedDeadLetters).toBe(d.byKind.big_malformed_json!.sent + d.byKind.big_key_bad_value!.sent);
    expect(d.byKind.valid!.deadLettered).toBe(0);
  }, 300_000);

  it('broker: restarts with SIGTERM and SIGKILL lose nothing, duplicate nothing, and readiness follows the broker', async () => {
    const { line, missed, details } = await runBrokerRestarts(new Map([['signals', 'SIGTERM,SIGKILL'], ['between-s', '5'], ['rate', '300']]), log);
    expect(missed).toEqual([]);
    // Each outage is logged as an error by the service itself (kafkajs's lines about each failed connection are warnings).
    expect((details as { outageErrorLines: number }).outageErrorLines).toBeGreaterThanOrEqual(2);
    expect(Object.keys(line)).toEqual(['scenario', 'restarts', 'lost', 'duplicates', 'readyFalseWithinSeconds', 'readyTrueWithinSeconds']);
    expect(line).toMatchObject({ scenario: 'broker', restarts: 2, lost: 0, duplicates: 0 });
    expect(line.readyFalseWithinSeconds).toBeLessThanOrEqual(5);
    expect(line.readyTrueWithinSeconds).toBeLessThanOrEqual(10);
  }, 400_000);

  it('crashloop: SIGKILLs before and after ready on 3 partitions lose nothing, duplicate nothing, and give the uninterrupted run\'s alert ids and state', async () => {
    const { line, missed, details } = await runCrashloop(new Map([['brokers', testBrokers().join(',')], ['kills', '4'], ['partitions', '3'], ['max-up-s', '7']]), log);
    expect(missed).toEqual([]);
    expect(Object.keys(line)).toEqual(['scenario', 'kills', 'partitions', 'events', 'accounted', 'lost', 'alerts', 'uniqueAlertIds', 'duplicates', 'missingVsBaseline', 'extraVsBaseline', 'stateRestored']);
    expect(line).toMatchObject({ scenario: 'crashloop', kills: 4, partitions: 3, lost: 0, duplicates: 0, missingVsBaseline: 0, extraVsBaseline: 0, stateRestored: true });
    expect(line.accounted).toBe(line.events);
    expect(line.uniqueAlertIds).toBe(line.alerts);
    expect((details as { baselineAlerts: number }).baselineAlerts).toBeGreaterThan(0);
  }, 400_000);
});
