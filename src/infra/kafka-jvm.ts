/** How a Kafka JVM (the broker or one of its tools) is launched: which java, which classpath, where it logs. */
import { join } from 'node:path';
import { LOG4J_RELATIVE, repoRoot } from './kafka-paths.js';

export const JAVA_HINT = 'Kafka 4.1 needs Java 17+; set JAVA_HOME';

export function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** JVM options shared by the broker and the storage tool, up to and including the classpath. */
export function jvmBaseArgs(libs: string, dataDir: string): string[] {
  return [
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(repoRoot(), LOG4J_RELATIVE)}`,
    `-Dkafka.logs.dir=${join(dataDir, 'logs')}`,
    '-cp',
    join(libs, '*'),
  ];
}
