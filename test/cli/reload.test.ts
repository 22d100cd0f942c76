import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliMeeting } from '../helpers/cli-meeting.js';
import { printed, startCli } from '../helpers/cli.js';

/** What a running daemon reads again: its config file on SIGHUP, its rules on SIGHUP or when they change. */

const { dir, config } = cliMeeting();

describe('SIGHUP reads the config file again (outside tester, M3)', () => {
  it('a broken file: its problem at file:line:col, the running configuration kept; a change: named as needing a restart', async () => {
    const file = config('hup.yaml', 'route:\n  group_wait: 0s\n');
    const text = readFileSync(file, 'utf8');
    const p = startCli(['run', '--config', file], { SECRET: 'csecret' });
    try {
      await printed(p, 'qoswatch running');
      p.child.kill('SIGHUP');
      await printed(p, `${file} unchanged`);
      writeFileSync(file, `${text}  bogus_setting: 1\n`);
      p.child.kill('SIGHUP');
      await printed(
        p,
        `${file} not applied: the running configuration is kept, and a restart would fail with:`,
      );
      expect(p.output()).toContain(`${file}:17:3: route.bogus_setting: unknown setting`);
      writeFileSync(
        file,
        text.replace('group_wait: 0s', 'group_wait: 7s').replace('webinars: false', 'webinars: true'),
      );
      p.child.kill('SIGHUP');
      await printed(p, `${file} changed, not applied: restart qoswatch to apply`);
      expect(p.output()).toContain(
        'restart qoswatch to apply sources.webinars, route.group_wait (SIGHUP reloads',
      );
      expect(p.output()).toContain('rules reloaded');
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });
});

/** A rules folder holding one file with `text`. */
async function rulesDirWith(name: string, text: string): Promise<{ rulesDir: string; ruleFile: string }> {
  const rulesDir = join(dir, name);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(rulesDir, { recursive: true });
  const ruleFile = join(rulesDir, 'r.yaml');
  writeFileSync(ruleFile, text);
  return { rulesDir, ruleFile };
}

const ONE_RULE = 'rules:\n  - name: one\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n';

// Side by side: each waits on its own process (a reload comes after 3 s of quiet files, rule-reload.ts's
// STABLE_MS, real time in a real process), with its own rules folder, config and state dir.
describe.concurrent('rule reload', () => {
  it('SIGHUP reloads the rules, and an invalid set is rejected while the old one keeps running', async ({
    expect,
  }) => {
    const { rulesDir, ruleFile } = await rulesDirWith('rules-reload', ONE_RULE);
    const p = startCli(
      ['run', '--config', config('reload.yaml', `rules:\n  paths: [${rulesDir}]\n  watch: false\n`)],
      { SECRET: 'csecret' },
    );
    await printed(p, 'qoswatch running');
    writeFileSync(ruleFile, ONE_RULE.replace('-70dBm', '5%'));
    p.child.kill('SIGHUP');
    await printed(p, 'rules not reloaded, the previous 1 rule keeps running');
    expect(p.output()).toContain(`${ruleFile}:5:16: rules[0].threshold: wifi_rssi threshold: found \\"5%\\"`);
    writeFileSync(
      ruleFile,
      `${ONE_RULE}  - name: two\n    metric: cpu_zoom_avg\n    when: above\n    threshold: 90%\n`,
    );
    p.child.kill('SIGHUP');
    await printed(p, 'rules reloaded: 2 rules');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('reloads when a rule file changes', async ({ expect }) => {
    const { rulesDir, ruleFile } = await rulesDirWith('rules-watch', ONE_RULE);
    const p = startCli(
      ['run', '--config', config('watch.yaml', `rules:\n  paths: [${rulesDir}]\n  watch: true\n`)],
      { SECRET: 'csecret' },
    );
    await printed(p, 'qoswatch running');
    writeFileSync(
      ruleFile,
      `${ONE_RULE}  - name: two\n    metric: cpu_zoom_avg\n    when: above\n    threshold: 90%\n`,
    );
    await printed(p, 'rules reloaded: 2 rules');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('keeps reloading a rule file named in rules.paths across saves that rename over it, and a delete and re-create', async ({
    expect,
  }) => {
    const { ruleFile } = await rulesDirWith('rules-watch-file', ONE_RULE);
    const p = startCli(
      ['run', '--config', config('watch-file.yaml', `rules:\n  paths: [${ruleFile}]\n  watch: true\n`)],
      { SECRET: 'csecret' },
    );
    await printed(p, 'qoswatch running');
    /** Saves as `sed -i` and most editors do: a new file renamed over the old one. */
    const saveByRename = (text: string): void => {
      writeFileSync(`${ruleFile}.tmp`, text);
      renameSync(`${ruleFile}.tmp`, ruleFile);
    };
    saveByRename(rulesNamed(2));
    await printed(p, 'rules reloaded: 2 rules');
    saveByRename(rulesNamed(3)); // the old code's watch stayed on the first file's inode: never seen
    await printed(p, 'rules reloaded: 3 rules');
    rmSync(ruleFile);
    await printed(p, 'rules not reloaded, the previous 3 rules keep running');
    writeFileSync(ruleFile, rulesNamed(4));
    await printed(p, 'rules reloaded: 4 rules');
    writeFileSync(ruleFile, rulesNamed(5)); // and a write in place to the re-created file
    await printed(p, 'rules reloaded: 5 rules');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('keeps reloading a rule folder named in rules.paths after the folder is replaced, or deleted and re-created', async ({
    expect,
  }) => {
    const { rulesDir, ruleFile } = await rulesDirWith('rules-watch-folder', ONE_RULE);
    const p = startCli(
      ['run', '--config', config('watch-folder.yaml', `rules:\n  paths: [${rulesDir}]\n  watch: true\n`)],
      { SECRET: 'csecret' },
    );
    await printed(p, 'qoswatch running');
    // a deploy: the new folder written aside, the old one moved away, the new one moved in
    mkdirSync(`${rulesDir}.new`);
    writeFileSync(join(`${rulesDir}.new`, 'r.yaml'), rulesNamed(2));
    renameSync(rulesDir, `${rulesDir}.old`);
    renameSync(`${rulesDir}.new`, rulesDir);
    await printed(p, 'rules reloaded: 2 rules');
    writeFileSync(ruleFile, rulesNamed(3)); // the old code's watch stayed on the old folder: never seen
    await printed(p, 'rules reloaded: 3 rules');
    rmSync(rulesDir, { recursive: true });
    mkdirSync(rulesDir);
    writeFileSync(ruleFile, rulesNamed(4));
    await printed(p, 'rules reloaded: 4 rules');
    writeFileSync(ruleFile, rulesNamed(5));
    await printed(p, 'rules reloaded: 5 rules');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

/** A rule file of `n` rules, named r1 to rN. */
function rulesNamed(n: number): string {
  const rule = (i: number): string =>
    `  - name: r${i}\n    metric: wifi_rssi\n    when: below\n    threshold: -${60 + i}dBm\n`;
  return `rules:\n${Array.from({ length: n }, (_, i) => rule(i + 1)).join('')}`;
}
