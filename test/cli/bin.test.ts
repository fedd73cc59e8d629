import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The built binary, as `npx paperchart` runs it (npm test builds dist/ first).
const BIN = fileURLToPath(new URL('../../bin/paperchart.js', import.meta.url));

describe('the paperchart binary', () => {
  it('lists every command in --help', () => {
    const out = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    for (const command of ['sample', 'print', 'export', 'migrate']) expect(out).toContain(`paperchart ${command}`);
  });

  it('exits 2 with a one-line reason for a missing store', () => {
    const r = spawnSync(process.execPath, [BIN, 'print', '--db', '/nonexistent/clinic.sqlite', '--out', '/tmp/x.pdf'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^paperchart: records store not found: \/nonexistent\/clinic\.sqlite\n→ /);
  });

  it('exits 1 on a usage error', () => {
    const r = spawnSync(process.execPath, [BIN, 'print'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Missing required argument/);
  });
});
