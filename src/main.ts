#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { FileInvalidError } from './util/file-errors.js';
import { UsageError } from './cli/args.js';
import { check, checkHelp } from './cli/check.js';
import { demo, demoHelp } from './cli/demo.js';
import { hashPassword, hashPasswordHelp } from './cli/hash-password.js';
import { healthcheck, healthcheckHelp } from './cli/healthcheck.js';
import { notifyTest, notifyTestHelp } from './cli/notify-test.js';
import { once, onceHelp } from './cli/once.js';
import { routes, routesHelp } from './cli/routes.js';
import { run, runHelp } from './cli/run.js';
import { simulate, simulateHelp } from './cli/simulate.js';
import { testRules, testRulesHelp } from './cli/test-rules.js';
import { fromRoot } from './util/package-root.js';

/** Exit codes (README, "Commands"): 0 ok, 1 a failure while running, 2 a usage or config error. */
const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

interface Command {
  summary: string;
  help: string;
  run: (argv: string[]) => Promise<number>;
}

/** Every subcommand, in the order `--help` lists them. */
const COMMANDS: Record<string, Command> = {
  run: { summary: 'run the daemon', help: runHelp, run },
  once: { summary: 'poll one cycle and print every sample as JSON lines', help: onceHelp, run: once },
  check: { summary: 'check a configuration file', help: checkHelp, run: check },
  routes: {
    summary: 'print which receivers an alert with given labels reaches',
    help: routesHelp,
    run: routes,
  },
  'notify-test': {
    summary: 'send a test message through one notifier',
    help: notifyTestHelp,
    run: notifyTest,
  },
  'test-rules': { summary: 'run rule unit tests written in YAML', help: testRulesHelp, run: testRules },
  'hash-password': {
    summary: 'bcrypt a password for metrics basic auth',
    help: hashPasswordHelp,
    run: hashPassword,
  },
  healthcheck: {
    summary: "ask a running qoswatch's /healthz (the container's HEALTHCHECK)",
    help: healthcheckHelp,
    run: healthcheck,
  },
  demo: { summary: 'the simulator and the daemon together, on a fast clock', help: demoHelp, run: demo },
  simulate: { summary: 'serve a simulated Zoom QoS API from a scenario', help: simulateHelp, run: simulate },
};

function version(): string {
  return (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return (
    `qoswatch ${version()}: alerts on Zoom call quality while the call is happening\n\n` +
    `Usage: qoswatch <command> [options]\n\nCommands:\n` +
    Object.entries(COMMANDS)
      .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
      .join('\n') +
    `\n\nRun 'qoswatch <command> --help' for a command's options; 'qoswatch --version' prints the version.\n` +
    `Exit codes: 0 ok, 1 a failure while running, 2 a usage or configuration error.\n`
  );
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`qoswatch: unknown command "${name}"\n\n${help()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`qoswatch ${name}: ${err.message}\n\n${command.help}`);
      return EXIT.usage;
    }
    if (err instanceof FileInvalidError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`qoswatch ${name}: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
}

// A reader that stops early (`qoswatch once ... | head`) is not a failure: end quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`qoswatch: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
