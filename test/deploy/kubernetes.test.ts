/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- manifests are untyped YAML walked as plain data; the models check their types */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { tmpdir } from 'node:os';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { fromRoot } from '../../src/util/package-root.js';

type Any = any;

/** The real validators: each model checks an object against the Kubernetes (or operator) OpenAPI schema. */
const MODELS: Record<string, new (data: Any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

const dir = fromRoot('deploy', 'kubernetes');
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [k: string]: unknown;
}
const manifests = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => ({ file: f, m: d.toJS() as Manifest })),
  );
const byKind = (kind: string): Manifest => manifests.find((x) => x.m.kind === kind)!.m;

describe('deploy/kubernetes', () => {
  it('every manifest is valid against its schema, and kustomization.yaml lists each file', () => {
    expect(manifests.map((x) => x.m.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'NetworkPolicy',
      'PersistentVolumeClaim',
      'PrometheusRule',
      'Secret',
      'Service',
      'ServiceMonitor',
    ]);
    for (const { file, m } of manifests) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}`];
      expect(Model, `${file}: ${m.apiVersion} ${m.kind}`).toBeDefined();
      expect(() => new Model!(m).validate(), file).not.toThrow();
    }
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect(kustomization.resources.sort()).toEqual([...new Set(manifests.map((x) => x.file))].sort());
  });

  it('the validator rejects a broken manifest (so the check above can fail)', () => {
    const d = structuredClone(byKind('Deployment')) as Any;
    d.spec.template.spec.containers[0].ports[0].containerPort = 'nine';
    expect(() => new Deployment(d).validate()).toThrow(/containerPort/);
    const sm = structuredClone(byKind('ServiceMonitor')) as Any;
    sm.spec.endpoints[0].interval = 60;
    expect(() => new ServiceMonitor(sm).validate()).toThrow(/interval/);
  });

  it('one replica replaced with Recreate, probes on /healthz and /readyz, non-root with a read-only root', () => {
    const d = byKind('Deployment') as Any;
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy.type).toBe('Recreate');
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.resources.requests).toBeDefined();
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    // The names the pieces use for each other exist.
    const volumes = Object.fromEntries(pod.volumes.map((v: Any) => [v.name, v]));
    expect(volumes.state.persistentVolumeClaim.claimName).toBe(byKind('PersistentVolumeClaim').metadata.name);
    expect(volumes.config.configMap.name).toBe(byKind('ConfigMap').metadata.name);
    expect(c.envFrom[0].secretRef.name).toBe(byKind('Secret').metadata.name);
    const service = byKind('Service') as Any;
    expect(service.spec.ports[0].targetPort).toBe(c.ports[0].name);
    expect((byKind('ServiceMonitor') as Any).spec.endpoints[0].port).toBe(service.spec.ports[0].name);
    // qoswatch's own stop bound is well under the pod's grace period.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(5);
  });

  it('the ConfigMap holds a config qoswatch accepts, with the Secret as its environment, listening on the container port', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'qw-k8s-')), 'config.yaml');
    writeFileSync(file, (byKind('ConfigMap') as Any).data['config.yaml']);
    const config = loadConfig(file, (byKind('Secret') as Any).stringData);
    expect(config.stateDir).toBe('/var/lib/qoswatch');
    expect(config.run.shutdownTimeoutMs).toBeLessThan(30_000);
    expect(config.metrics.port).toBe(
      (byKind('Deployment') as Any).spec.template.spec.containers[0].ports[0].containerPort,
    );
  });

  it("the NetworkPolicy lets only Prometheus pods reach the pod's metrics port, and leaves outgoing traffic open (hT43 F1)", () => {
    const policy = byKind('NetworkPolicy') as Any;
    const pod = (byKind('Deployment') as Any).spec.template;
    expect(policy.spec.podSelector.matchLabels).toEqual(pod.metadata.labels);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    const [rule] = policy.spec.ingress;
    expect(rule.ports).toEqual([{ port: pod.spec.containers[0].ports[0].name, protocol: 'TCP' }]);
    expect(rule.from).toEqual([
      expect.objectContaining({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }),
    ]);
  });

  it('the PrometheusRule holds exactly the rules of docs/prometheus/qoswatch-alerts.yml', () => {
    const docs = parse(readFileSync(fromRoot('docs', 'prometheus', 'qoswatch-alerts.yml'), 'utf8')) as object;
    expect((byKind('PrometheusRule') as Any).spec).toEqual(docs);
  });
});
