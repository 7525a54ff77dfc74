import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { commands } from '../../src/cli/commands/index.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { Db } from '../../src/store/db.js';
import { createApp } from '../../src/web/app.js';
import { PROJECT_ROOT, RADAR_BIN } from '../tools/build.js';
import { testGitHub } from '../tools/github-mock.js';

/**
 * CI check of what deploys radar: the Kubernetes manifests and the Dockerfile must name what
 * exists (commands, probe paths, Secret and ConfigMap keys, files), the ConfigMap's radar.yaml
 * must load, and the image's file layout must run.
 */

const K8S = join(PROJECT_ROOT, 'deploy/kubernetes');
// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML
type Manifest = any;

const manifests: Array<{ file: string; doc: Manifest }> = readdirSync(K8S)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return { file, doc: doc.toJS() as Manifest };
    }),
  );
const ofKind = (kind: string) => manifests.filter((m) => m.doc?.kind === kind).map((m) => m.doc);
const deployments = ofKind('Deployment');
const containers = deployments.flatMap((d) =>
  (d.spec.template.spec.containers as Manifest[]).map((c) => ({ deployment: d, container: c })),
);

describe('Kubernetes manifests', () => {
  it('parse, and the kustomization lists files that exist (not the placeholder Secret)', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['radar-web', 'radar-worker']);
    const kustomization = ofKind('Kustomization')[0];
    for (const resource of kustomization.resources) expect(existsSync(join(K8S, resource)), resource).toBe(true);
    expect(kustomization.resources).not.toContain('secret.yaml');
  });

  it('run radar commands that exist: one serve, two workers', () => {
    const names = new Set(commands.map((c) => c.name));
    for (const { deployment, container } of containers) {
      // The image's ENTRYPOINT is node bin/radar.js; a manifest that overrides it must say the same.
      if (container.command) expect(container.command).toEqual(['node', 'bin/radar.js']);
      expect(names.has(container.args?.[0]), `${deployment.metadata.name}: ${container.args}`).toBe(true);
    }
    const byName = Object.fromEntries(deployments.map((d) => [d.metadata.name, d]));
    expect(byName['radar-web'].spec.replicas).toBe(1);
    expect(byName['radar-web'].spec.template.spec.containers[0].args).toEqual(['serve']);
    expect(byName['radar-worker'].spec.replicas).toBe(2);
    expect(byName['radar-worker'].spec.template.spec.containers[0].args).toEqual(['worker']);
  });

  it('probe paths the web app answers without an account, on a port the container names', async () => {
    const config = loadConfig(join(PROJECT_ROOT, 'config/radar.yaml'));
    // No database behind it: /livez must not need one, /readyz must say it is missing.
    const app = createApp({
      db: {} as Db,
      config,
      clock: fixedClock('2019-06-21T00:00:00Z'),
      logger: silentLogger(),
      github: () => testGitHub(),
    });
    const web = containers.find(({ deployment }) => deployment.metadata.name === 'radar-web')?.container;
    const probes = ['startupProbe', 'livenessProbe', 'readinessProbe'].map((p) => web[p]);
    expect(probes.map((p) => p.httpGet.path)).toEqual(['/livez', '/livez', '/readyz']);
    for (const probe of probes) {
      expect(web.ports.map((p: Manifest) => p.name)).toContain(probe.httpGet.port);
      const answer = await app.request(probe.httpGet.path);
      expect(answer.status, probe.httpGet.path).toBe(probe.httpGet.path === '/livez' ? 200 : 503);
    }
    expect(((await (await app.request('/readyz')).json()) as { database: string }).database).toBe('unreachable');
    const service = ofKind('Service')[0];
    expect(web.ports.map((p: Manifest) => p.name)).toContain(service.spec.ports[0].targetPort);
    expect(service.spec.selector).toEqual(
      Object.fromEntries(Object.entries(deployments[0].spec.selector.matchLabels).filter(([k]) => k in service.spec.selector)),
    );
  });

  it('reference Secret and ConfigMap keys that exist, and mount radar.yaml where RADAR_CONFIG says', () => {
    const secrets = new Map(ofKind('Secret').map((s) => [s.metadata.name, { ...s.data, ...s.stringData }]));
    const configMaps = new Map(ofKind('ConfigMap').map((c) => [c.metadata.name, c.data]));
    for (const { deployment, container } of containers) {
      const where = deployment.metadata.name;
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) expect(secrets.get(ref.name)?.[ref.key], `${where}: ${ref.name}/${ref.key}`).toBeDefined();
      }
      const volumes = deployment.spec.template.spec.volumes as Manifest[];
      const configFile = container.env.find((v: Manifest) => v.name === 'RADAR_CONFIG').value as string;
      const mount = container.volumeMounts.find((m: Manifest) => m.mountPath === dirname(configFile));
      const volume = volumes.find((v) => v.name === mount?.name);
      const data = configMaps.get(volume?.configMap?.name);
      expect(data?.[configFile.slice(dirname(configFile).length + 1)], `${where}: ${configFile}`).toBeDefined();
      expect(
        container.env.some((v: Manifest) => v.name === 'DATABASE_URL'),
        `${where}: DATABASE_URL`,
      ).toBe(true);
    }
    // Placeholders only: nothing that looks like a real token.
    for (const values of secrets.values()) for (const value of Object.values(values)) expect(String(value)).toMatch(/CHANGE-ME/);
  });

  it("hold a radar.yaml that radar's config loader accepts", () => {
    const data = ofKind('ConfigMap')[0].data['radar.yaml'];
    const config = parseConfig(data, 'deploy/kubernetes/configmap.yaml#radar.yaml');
    expect(config.repos.length).toBeGreaterThan(0);
  });

  it('run unprivileged, on a read-only root with a writable /tmp, with requests and limits', () => {
    for (const { deployment, container } of containers) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(container.volumeMounts.map((m: Manifest) => m.mountPath)).toContain('/tmp');
      expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
      expect(container.resources.limits.memory).toBeDefined();
    }
  });
});

interface Instruction {
  stage: string;
  op: string;
  args: string;
}

function dockerfile(): Instruction[] {
  const text = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const result: Instruction[] = [];
  let stage = '';
  for (const line of text.split('\n')) {
    const match = /^([A-Z]+)\s+(.*)$/.exec(line.trim());
    if (!match || line.trim().startsWith('#')) continue;
    const [, op = '', args = ''] = match;
    if (op === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? args;
    result.push({ stage, op, args });
  }
  return result;
}

/** A COPY's flags, sources and destination. */
function copyParts(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1) as string };
}

function ignored(path: string): boolean {
  const patterns = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return patterns.some((pattern) => {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`);
    return re.test(path);
  });
}

describe('Dockerfile', () => {
  const instructions = dockerfile();
  const runtime = instructions.filter((i) => i.stage === 'runtime');
  const scratch = mkdtempSync(join(tmpdir(), 'radar-image-'));
  let server: ChildProcess | undefined;
  let closeGitHub = () => {};
  afterAll(() => {
    server?.kill('SIGKILL');
    closeGitHub();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('starts node bin/radar.js serve, as a user other than root, on every interface', () => {
    expect(runtime.find((i) => i.op === 'ENTRYPOINT')?.args).toBe('["node", "bin/radar.js"]');
    expect(runtime.find((i) => i.op === 'CMD')?.args).toBe('["serve"]');
    expect(existsSync(RADAR_BIN)).toBe(true);
    expect(runtime.find((i) => i.op === 'USER')?.args).not.toMatch(/^(root|0)$/);
    expect(runtime.find((i) => i.op === 'ENV')?.args).toMatch(/HOST=0\.0\.0\.0/);
    expect(instructions.filter((i) => i.op === 'FROM').every((i) => /^node:20-bookworm-slim\b/.test(i.args))).toBe(true);
  });

  it('copies files that exist and that .dockerignore lets through', () => {
    const copies = instructions.filter((i) => i.op === 'COPY').map((i) => copyParts(i.args));
    for (const copy of copies.filter((c) => !c.from))
      for (const source of copy.sources) {
        expect(existsSync(join(PROJECT_ROOT, source)), source).toBe(true);
        expect(ignored(source), `${source} is in .dockerignore`).toBe(false);
      }
    expect(ignored('node_modules')).toBe(true);
    expect(ignored('.radar')).toBe(true);
  });

  it("runs from the runtime stage's files alone: serves /readyz and the static assets", async () => {
    // Stage the runtime image's COPY lines: from the context, the build (dist/) and the deps stage.
    for (const copy of runtime.filter((i) => i.op === 'COPY').map((i) => copyParts(i.args))) {
      for (const source of copy.sources) {
        const target = copy.dest.endsWith('/')
          ? join(scratch, copy.dest, source.split('/').at(-1) as string)
          : join(scratch, copy.dest);
        mkdirSync(dirname(target), { recursive: true });
        if (copy.from === 'deps') symlinkSync(join(PROJECT_ROOT, 'node_modules'), target);
        else if (copy.from === 'build') cpSync(join(PROJECT_ROOT, source.replace(/^\/app\//, '')), target, { recursive: true });
        else cpSync(join(PROJECT_ROOT, source), target, { recursive: true });
      }
    }
    expect(
      execFileSync('node', ['bin/radar.js', '--version'], { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ).toBe('');
    // Never GitHub: the runs serve starts at once go to a local server that knows no repository.
    const github = createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}'),
    );
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    closeGitHub = () => github.close();
    const configFile = join(scratch, 'radar.yaml');
    writeFileSync(
      configFile,
      'projects:\n  - name: containerd\n    repos:\n      - repo: containerd/containerd\n        sources: [releases]\n',
    );
    const env = {
      PATH: process.env.PATH,
      HOME: scratch,
      HOST: '127.0.0.1',
      PORT: '0',
      RADAR_DATA_DIR: join(scratch, 'data'),
      RADAR_CONFIG: configFile,
      GITHUB_API_URL: `http://127.0.0.1:${(github.address() as AddressInfo).port}`,
      LOG_LEVEL: 'info',
    };
    server = spawn('node', ['bin/radar.js', 'serve'], { cwd: scratch, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log}`)), 45_000);
      server?.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const started = /"url":"(http:[^"]+)"[^\n]*"msg":"radar started"/.exec(log);
        if (started) {
          clearTimeout(timer);
          resolve(started[1] as string);
        }
      });
      server?.once('exit', (code) => reject(new Error(`serve exited ${code}:\n${log}`)));
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/static/app.css`)).status).toBe(200);
    expect((await fetch(`${url}/static/app.js`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    server = undefined;
  });
});

describe('the built command', () => {
  it('answers --version and exits 0', () => {
    const result = spawnSync('node', [RADAR_BIN, '--version'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^radar \d+\.\d+\.\d+\n$/);
  });
});
