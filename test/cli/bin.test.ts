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

describe('an interrupted print', () => {
  it('leaves neither the binder nor a partial file behind', async () => {
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'interrupt-'));
    const demo = fileURLToPath(new URL('../../samples/demo-clinic.sqlite', import.meta.url));
    const child = spawn(process.execPath, [BIN, 'print', '--db', demo, '--out', join(dir, 'binder.pdf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      // Interrupt once, as soon as rendering has started writing the PDF.
      if (!interrupted && stderr.includes('print render')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted; no output was written');
    expect(stderr).not.toContain('print render: 60/60');
    expect(readdirSync(dir)).toEqual([]);
  });
});
