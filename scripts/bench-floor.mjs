// Starts the platform's floor (bench/js-floor: a plain JavaScript Worker) under the same wrangler dev
// as Tollgate, on a free loopback port (and its inspector on `inspectorPort` when given, for V8's
// profiler). Returns {origin, stop()}.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { env, freePort, root } from '../tests/e2e/worker.mjs';

/** The JS floor's client_credentials request body (bench/js-floor checks exactly these). */
export const FLOOR_TOKEN_BODY = { grant_type: 'client_credentials', client_id: 'floor', client_secret: 'floor-secret', audience: 'https://api.bench/' };

export async function startFloor({ inspectorPort } = {}) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn('npx', ['wrangler', 'dev', '--config', path.join(root, 'bench', 'js-floor', 'wrangler.toml'), '--local',
    '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false',
    ...(inspectorPort ? ['--inspector-port', String(inspectorPort)] : [])],
  { cwd: root, env, detached: true, stdio: 'ignore' });
  const stop = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} };
  process.on('exit', stop);
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return { origin, stop };
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error('the JS floor Worker did not start');
}
