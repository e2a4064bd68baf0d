/**
 * deploy/ read by the code that will consume it, since neither Docker nor Kubernetes runs here:
 * the Prometheus config passes `promtool check config`, the shiftwatch configs embedded in the
 * ConfigMap and in docker-compose.yml pass shiftwatch's own config validation, and the port,
 * probe paths and mount paths agree across files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../../src/config/index.js';
import { REPO_ROOT, promtool } from './promtool.js';

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');
const yaml = (path: string): any => parse(read(path));
/** Compose-style `${VAR:-default}` replaced by its default. */
const withDefaults = (text: string): string => text.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

const compose = yaml('deploy/docker-compose.yml');
const deployment = yaml('deploy/k8s/deployment.yaml');
const container = deployment.spec.template.spec.containers[0];
const k8sConfig = parseConfig(parse(yaml('deploy/k8s/configmap.yaml').data['shiftwatch.yaml']), { baseDir: '/etc/shiftwatch' });
const composeConfig = parseConfig(parse(withDefaults(compose.configs.shiftwatch.content)), { baseDir: '/etc/shiftwatch' });

describe('deploy/', () => {
  it('has a Prometheus config that promtool accepts, with its rule files', () => {
    const { status, output } = promtool(['check', 'config', 'deploy/prometheus/prometheus.yml']);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('2 rule files found') });
  });

  it('embeds shiftwatch configs that pass shiftwatch\'s validation', () => {
    expect(k8sConfig.models.map((m) => m.bundle)).toEqual(['/bundles/fraud-v3']);
    expect(composeConfig.kafka.brokers).toEqual(['kafka:9092']);
  });

  it('uses one HTTP port everywhere: config, container, scrape annotations, service, compose scrape target', () => {
    const port = k8sConfig.http.port;
    const annotations = deployment.spec.template.metadata.annotations;
    expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
    expect(yaml('deploy/k8s/service.yaml').spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
    expect(composeConfig.http.port).toBe(port);
    expect(yaml('deploy/prometheus/prometheus.yml').scrape_configs[0].static_configs[0].targets).toEqual([`shiftwatch:${port}`]);
  });

  it('probes liveness on /health and readiness on /ready, with resource requests', () => {
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    expect(container.startupProbe.httpGet.path).toBe('/health');
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
  });

  it('lists every manifest in the kustomization, and each is a Kubernetes object', () => {
    const { resources } = yaml('deploy/k8s/kustomization.yaml') as { resources: string[] };
    expect(resources).toEqual(expect.arrayContaining(['deployment.yaml', 'service.yaml', 'configmap.yaml', 'pdb.yaml']));
    for (const file of resources) {
      for (const doc of parseAllDocuments(read(`deploy/k8s/${file}`))) expect(doc.toJS()).toEqual(expect.objectContaining({ apiVersion: expect.any(String), kind: expect.any(String) }));
    }
  });

  it('points Grafana\'s dashboard provider at the committed dashboards', () => {
    const provider = yaml('deploy/grafana/provisioning/dashboards/shiftwatch.yml').providers[0];
    const mounts: string[] = compose.services.grafana.volumes;
    expect(mounts).toContain(`../dashboards:${provider.options.path}:ro`);
    expect(existsSync(join(REPO_ROOT, 'dashboards', 'shiftwatch-fleet.json'))).toBe(true);
    expect(compose.services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${provider.options.path}/shiftwatch-fleet.json`);
  });
});
