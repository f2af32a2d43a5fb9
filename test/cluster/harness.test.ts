import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePki } from './harness/pki.js';
import { fixCommands } from './support.js';

/** The harness' own pieces that need no control plane. */
describe('cluster harness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mimir-kube-pki-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues a serving certificate for loopback and the in-cluster names, and a system:masters client certificate, both from its CA', () => {
    const pki = makePki(dir, '10.96.0.1');
    const verify = execFileSync('openssl', ['verify', '-CAfile', pki.caCert, pki.serverCert, pki.adminCert], {
      encoding: 'utf8',
    });
    expect(verify).toContain(`${pki.serverCert}: OK`);
    expect(verify).toContain(`${pki.adminCert}: OK`);
    const server = execFileSync(
      'openssl',
      ['x509', '-in', pki.serverCert, '-noout', '-ext', 'subjectAltName,extendedKeyUsage'],
      { encoding: 'utf8' },
    );
    for (const san of [
      'IP Address:127.0.0.1',
      'IP Address:10.96.0.1',
      'DNS:kubernetes.default.svc',
      'TLS Web Server Authentication',
    ])
      expect(server).toContain(san);
    const admin = execFileSync(
      'openssl',
      ['x509', '-in', pki.adminCert, '-noout', '-subject', '-ext', 'extendedKeyUsage'],
      { encoding: 'utf8' },
    );
    expect(admin).toMatch(/O\s*=\s*system:masters/);
    expect(admin).toContain('TLS Web Client Authentication');
  });

  it('reads fix commands out of a preflight report, heredocs included', () => {
    const report = [
      'preflight x: context "c" lacks 2 things the environment needs',
      '  ✖ Secret mimir/a is missing (keys: k)',
      '    needed by: Deployment/d',
      '    fix: kubectl --context c -n mimir create secret generic a --from-literal=k=<k>',
      '  ✖ StorageClass gp3 does not exist: its claims stay Pending',
      "    fix: kubectl --context c apply -f - <<'EOF'",
      '         kind: StorageClass',
      '         EOF',
    ].join('\n');
    expect(fixCommands(report)).toEqual([
      'kubectl --context c -n mimir create secret generic a --from-literal=k=<k>',
      "kubectl --context c apply -f - <<'EOF'\nkind: StorageClass\nEOF",
    ]);
  });
});
