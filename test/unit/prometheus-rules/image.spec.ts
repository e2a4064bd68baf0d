/**
 * The Dockerfile read statically, since no Docker engine runs here: what it copies exists and is
 * in the build context, the runtime stage is the one deploy/ expects (non-root, the config path
 * compose and Kubernetes mount, the HTTP port, a health check on /health, `serve`), and the Node
 * version agrees across .nvmrc, package.json and the base image.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig } from '../../../src/config/index.js';
import { REPO_ROOT } from './promtool.js';

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions (continuation lines joined, comments dropped), grouped by stage. */
function stages(text: string): { name: string | undefined; base: string; body: Instruction[] }[] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
  const out: { name: string | undefined; base: string; body: Instruction[] }[] = [];
  for (const i of instructions) {
    if (i.op === 'FROM') {
      const [base, as, name] = i.args.split(/\s+/);
      out.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, base: base!, body: [] });
    } else out.at(-1)?.body.push(i);
  }
  return out;
}

const dockerfile = read('Dockerfile');
const all = stages(dockerfile);
const runtime = all.at(-1)!;
const find = (op: string) => runtime.body.filter((i) => i.op === op);
const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
const compose = parse(read('deploy/docker-compose.yml'));
const deployment = parse(read('deploy/k8s/deployment.yaml'));
const k8sConfig = parseConfig(parse(parse(read('deploy/k8s/configmap.yaml')).data['shiftwatch.yaml']), { baseDir: '/etc/shiftwatch' });

describe('Dockerfile', () => {
  it('copies only files that exist and are in the build context, and stages that exist', () => {
    const copies = all.flatMap((s) => s.body.filter((i) => i.op === 'COPY'));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      const words = c.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='));
      const sources = words.filter((w) => !w.startsWith('--')).slice(0, -1);
      if (from !== undefined) {
        expect(all.map((s) => s.name)).toContain(from.slice('--from='.length));
        continue;
      }
      for (const source of sources) {
        expect({ source, exists: existsSync(join(REPO_ROOT, source)) }).toEqual({ source, exists: true });
        expect(ignored).not.toContain(source.replace(/\/$/, ''));
      }
    }
  });

  it('builds on Debian (glibc, for onnxruntime-node) with the Node major of .nvmrc and engines', () => {
    const nvmrc = read('.nvmrc').trim();
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const defaultNode = /^ARG NODE_VERSION=(\S+)$/m.exec(dockerfile)?.[1];
    expect(nvmrc).toMatch(/^\d+\.\d+\.\d+$/);
    const [major, minor] = nvmrc.split('.').map(Number);
    expect(engines).toBe(`^${major}.${minor}.0`);
    expect(defaultNode?.split('.')[0]).toBe(String(major));
    for (const s of all) expect(s.base).toBe('node:${NODE_VERSION}-bookworm-slim');
  });

  it('installs production dependencies only, without the CUDA download, for the runtime stage', () => {
    const deps = all.find((s) => runtime.body.some((i) => i.op === 'COPY' && i.args.includes(`--from=${s.name} `) && i.args.includes('node_modules')));
    const install = deps?.body.find((i) => i.op === 'RUN' && i.args.includes('npm ci'))?.args ?? '';
    expect(install).toContain('--omit=dev');
    expect(install).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
  });

  it('runs serve as a non-root user, with the config where deploy/ mounts it', () => {
    expect(find('USER').map((i) => i.args)).toEqual(['node']);
    expect(JSON.parse(find('ENTRYPOINT')[0]!.args)).toEqual(['node', '/app/dist/cli/main.js']);
    expect(JSON.parse(find('CMD')[0]!.args)).toEqual(['serve']);
    const configPath = /SHIFTWATCH_CONFIG=(\S+)/.exec(find('ENV').map((i) => i.args).join(' '))?.[1];
    expect(compose.services.shiftwatch.configs[0].target).toBe(configPath);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.args).toEqual(['serve', '--config', configPath]);
    expect(container.volumeMounts.find((m: { name: string }) => m.name === 'config').mountPath).toBe('/etc/shiftwatch');
    expect(deployment.spec.template.spec.securityContext.runAsUser).toBe(1000);
  });

  it('exposes the service port and checks /health on it', () => {
    const port = k8sConfig.http.port;
    expect(find('EXPOSE').map((i) => i.args)).toEqual([String(port)]);
    const check = find('HEALTHCHECK')[0]!.args;
    expect(check).toContain(`/health`);
    expect(check).toContain(`process.env.SHIFTWATCH__HTTP__PORT || ${port}`);
  });

  it('is the image compose builds and Kubernetes runs', () => {
    expect(compose.services.shiftwatch.build).toEqual({ context: '..' });
    expect(compose.services.shiftwatch.image).toBe(deployment.spec.template.spec.containers[0].image);
  });
});
