/** The fault scenarios `npm run chaos` knows. A new one: its own file exporting a ChaosScenario, and a line here. */
import type { ChaosScenario } from './scenario.js';
import { fuzzScenario } from './fuzz.js';
import { brokerScenario } from './broker-restarts.js';
import { soakScenario } from './soak.js';
import { crashloopScenario } from './crashloop.js';
import { replicasScenario } from './replicas.js';

export const SCENARIOS: ReadonlyMap<string, ChaosScenario> = new Map([fuzzScenario, brokerScenario, soakScenario, crashloopScenario, replicasScenario].map((s) => [s.name, s]));
