import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A tiny project with these files under src/; `npm run deps`'s rules run over it. */
async function check(files: Record<string, string>): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qw-deps-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, 'src', path)), { recursive: true });
    writeFileSync(join(dir, 'src', path), text);
  }
  try {
    const { stdout } = await run(process.execPath, [CLI, 'src', '--config', CONFIG], { cwd: dir });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('npm run deps (the import rules of src/)', () => {
  it('passes a project whose imports follow the data', async () => {
    const r = await check({
      'util/words.ts': "export const plural = (n: number): string => (n === 1 ? '' : 's');\n",
      'normalize/sample.ts': 'export interface QosSample { at: number }\n',
      'evaluate/engine.ts':
        "import type { QosSample } from '../normalize/sample.js';\nimport { plural } from '../util/words.js';\nexport const f = (s: QosSample[]): string => plural(s.length);\n",
      // A folder composing its subfolder, and one subfolder using a sibling: one direction.
      'notify/dispatcher.ts': "import { stage } from './pipeline/stage.js';\nexport const d = stage;\n",
      'notify/pipeline/stage.ts': "import { send } from '../plugins/send.js';\nexport const stage = send;\n",
      'notify/plugins/send.ts': 'export const send = 1;\n',
    });
    expect(r.out).toContain('no dependency violations');
    expect(r.code).toBe(0);
  });

  it('fails on import cycles, on imports against the data flow, on a subfolder importing its parent and on folders it does not place', async () => {
    // One run over every kind of fault (each run of the tool takes seconds).
    const r = await check({
      // A cycle between two files of one folder.
      'evaluate/a.ts': "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n",
      'evaluate/b.ts': "import { a } from './a.js';\nexport const b = (): number => a() - 1;\n",
      // evaluate -> poll is against the flow (poll hands events to evaluate), and poll -> evaluate
      // closes a cycle between the two folders; util imports nothing of ours.
      'evaluate/engine.ts':
        "import { instanceKey } from '../poll/source.js';\nexport const k = instanceKey('x');\n",
      'poll/source.ts': 'export const instanceKey = (s: string): string => `i:${s}`;\n',
      'poll/scheduler.ts': "import { k } from '../evaluate/engine.js';\nexport const first = k;\n",
      'util/logger.ts': "import { first } from '../poll/scheduler.js';\nexport const name = first;\n",
      // Folders outside the layer map, with and without imports.
      'misc/thing.ts': "import { name } from '../util/logger.js';\nexport const thing = name;\n",
      'other/alone.ts': 'export const alone = 1;\n',
      // The simulator loaded by the daemon, and a command main.ts loads before it is asked for.
      'simulator/server.ts': 'export class ZoomSimulator {}\n',
      'app/daemon.ts':
        "import { ZoomSimulator } from '../simulator/server.js';\nexport const sim = new ZoomSimulator();\n",
      'cli/demo.ts':
        "import { ZoomSimulator } from '../simulator/server.js';\nexport const demo = new ZoomSimulator();\n",
      'cli/run.ts': "import { sim } from '../app/daemon.js';\nexport const run = sim;\n",
      // Another command reaching the simulator through cli/demo.ts, and cli/args.ts (which
      // main.ts loads first) reaching past util/.
      'cli/once.ts': "import { demo } from './demo.js';\nexport const once = demo;\n",
      'cli/args.ts': "import { sim } from '../app/daemon.js';\nexport const args = sim;\n",
      // A subfolder importing its parent folder's file while the parent imports the subfolder.
      'notify/dispatcher.ts': "import { stage } from './pipeline/stage.js';\nexport const d = stage;\n",
      'notify/pipeline/stage.ts': "import { store } from '../store.js';\nexport const stage = store;\n",
      'notify/store.ts': 'export const store = 1;\n',
      // Two sibling subfolders importing each other through different files: no file cycle,
      // but a folder cycle the layer table cannot see.
      'report/x/one.ts': "import { two } from '../y/two.js';\nexport const one = two;\n",
      'report/y/two.ts': 'export const two = 2;\n',
      'report/y/three.ts': "import { four } from '../x/four.js';\nexport const three = four;\n",
      'report/x/four.ts': 'export const four = 4;\n',
      // A file directly under src/ beside main.ts, in no layer.
      'stray.ts': "import { sim } from './app/daemon.js';\nexport const stray = sim;\n",
      // main.ts loading a command, the daemon past the command files, and args + util (allowed).
      'main.ts':
        "import { demo } from './cli/demo.js';\nimport { sim } from './app/daemon.js';\nimport { args } from './cli/args.js';\nimport { name } from './util/logger.js';\nexport const lazy = import('./cli/run.js');\nexport const d = [demo, sim, args, name];\n",
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/no-circular: src\/evaluate\/(a|b)\.ts/);
    expect(r.out).toContain('layer-evaluate: src/evaluate/engine.ts → src/poll/source.ts');
    expect(r.out).toContain('layer-poll: src/poll/scheduler.ts → src/evaluate/engine.ts');
    expect(r.out).toContain('layer-util: src/util/logger.ts → src/poll/scheduler.ts');
    expect(r.out).toContain('unknown-folder: src/misc/thing.ts');
    expect(r.out).toContain('unknown-folder: src/other/alone.ts');
    expect(r.out).toContain('simulator-on-demand: src/app/daemon.ts → src/simulator/server.ts');
    expect(r.out).toContain('commands-on-demand: src/main.ts → src/cli/demo.ts');
    expect(r.out).toContain('commands-on-demand: src/main.ts → src/app/daemon.ts');
    expect(r.out).toContain('simulator-commands-on-demand: src/cli/once.ts → src/cli/demo.ts');
    expect(r.out).toContain('args-light: src/cli/args.ts → src/app/daemon.ts');
    expect(r.out).toContain('subfolder-not-parent: src/notify/pipeline/stage.ts → src/notify/store.ts');
    expect(r.out).toMatch(/no-folder-cycle: src\/report\/(x|y) /);
    expect(r.out).toContain('unknown-folder: src/stray.ts');
    expect(r.out).not.toContain('src/notify/dispatcher.ts → src/notify/pipeline/stage.ts');
    expect(r.out).not.toContain('src/main.ts → src/cli/args.ts');
    expect(r.out).not.toContain('src/main.ts → src/util/logger.ts');
    // A command imported with import() is what main.ts should do; cli/demo.ts may load the simulator.
    expect(r.out).not.toContain('src/main.ts → src/cli/run.ts');
    expect(r.out).not.toContain('simulator-on-demand: src/cli/demo.ts');
  });
});
