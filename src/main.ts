#!/usr/bin/env node
import module from 'node:module';
import { holdSignals, onShutdown } from './util/signals.js';

/**
 * What main() reads besides the commands, loaded with import() as they are: statically main.ts
 * imports only util/signals.ts, so that the signals are held (below) before the rest is loaded.
 */
const basics = (): Promise<
  [
    typeof import('./util/file-errors.js'),
    typeof import('./cli/args.js'),
    typeof import('./util/package-root.js'),
    typeof import('./util/log-secrets.js'),
    typeof import('./util/shown-text.js'),
  ]
> =>
  Promise.all([
    import('./util/file-errors.js'),
    import('./cli/args.js'),
    import('./util/package-root.js'),
    import('./util/log-secrets.js'),
    import('./util/shown-text.js'),
  ]);

/**
 * Exit codes (README, "Commands"): 0 ok, 1 a failure while running, 2 a usage or config error;
 * 3 (a report cut by its budget reserve) is `report`'s own, returned by it and named in the help.
 */
const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A subcommand's help text and entry point. */
interface Loaded {
  help: string;
  run: (argv: string[]) => Promise<number>;
}

interface Command {
  summary: string;
  /** The command stops on SIGTERM and SIGINT itself (onShutdown), a signal held since the start included. */
  takesSignals?: true;
  /** Imported only when the command is asked for: `qoswatch run` never loads the simulator. */
  load: () => Promise<Loaded>;
}

/** Every subcommand, in the order `--help` lists them. */
const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'run the daemon',
    takesSignals: true,
    load: () => {
      // SIGTERM and SIGINT are taken over from holdSignals here, not after the daemon's modules
      // are loaded and it started: one sent meanwhile stops it cleanly once started, instead of
      // meeting the signal's default action (killed: exit 143, nothing saved).
      const shutdown = onShutdown();
      return import('./cli/run.js').then((m) => ({ help: m.runHelp, run: (argv) => m.run(argv, shutdown) }));
    },
  },
  once: {
    summary: 'poll one cycle and print every sample as JSON lines',
    load: () => import('./cli/once.js').then((m) => ({ help: m.onceHelp, run: m.once })),
  },
  check: {
    summary: 'check a configuration file',
    load: () => import('./cli/check.js').then((m) => ({ help: m.checkHelp, run: m.check })),
  },
  report: {
    summary: 'report on one meeting, webinar or session after the call (or during it)',
    load: () => import('./cli/report.js').then((m) => ({ help: m.reportHelp, run: m.report })),
  },
  inspect: {
    summary:
      "during a call: one participant's recent samples, or an instance's state, and the rules that see them",
    load: () => import('./cli/inspect.js').then((m) => ({ help: m.inspectHelp, run: m.inspect })),
  },
  routes: {
    summary: 'print which receivers an alert with given labels reaches',
    load: () => import('./cli/routes.js').then((m) => ({ help: m.routesHelp, run: m.routes })),
  },
  'notify-test': {
    summary: 'send a test message through one notifier',
    load: () => import('./cli/notify-test.js').then((m) => ({ help: m.notifyTestHelp, run: m.notifyTest })),
  },
  'test-rules': {
    summary: 'run rule unit tests written in YAML',
    load: () => import('./cli/test-rules.js').then((m) => ({ help: m.testRulesHelp, run: m.testRules })),
  },
  'hash-password': {
    summary: 'bcrypt a password for metrics basic auth',
    load: () =>
      import('./cli/hash-password.js').then((m) => ({ help: m.hashPasswordHelp, run: m.hashPassword })),
  },
  healthcheck: {
    summary: "ask a running qoswatch's /healthz (the container's HEALTHCHECK)",
    load: () => import('./cli/healthcheck.js').then((m) => ({ help: m.healthcheckHelp, run: m.healthcheck })),
  },
  demo: {
    summary: 'the simulator and the daemon together, on a fast clock',
    takesSignals: true,
    load: () => import('./cli/demo.js').then((m) => ({ help: m.demoHelp, run: m.demo })),
  },
  simulate: {
    summary: 'serve a simulated Zoom QoS API from a scenario',
    takesSignals: true,
    load: () => import('./cli/simulate.js').then((m) => ({ help: m.simulateHelp, run: m.simulate })),
  },
};

function help(version: string): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return (
    `qoswatch ${version}: alerts on Zoom call quality while the call is happening\n\n` +
    `Usage: qoswatch <command> [options]\n\nCommands:\n` +
    Object.entries(COMMANDS)
      .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
      .join('\n') +
    `\n\nRun 'qoswatch <command> --help' for a command's options; 'qoswatch --version' prints the version.\n` +
    `Exit codes: 0 ok, 1 a failure while running, 2 a usage or configuration error, 3 a report\n` +
    `written but cut by its budget reserve ('qoswatch report --help').\n`
  );
}

const commandNamed = (name: string | undefined): Command | undefined =>
  name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;

/**
 * One line for a command that is not one (a usage error, exit 2), with the closest command when
 * it reads as a typo of one (`chek`: "check"), else the commands; not the whole help.
 */
async function unknownCommand(name: string, rest: readonly string[]): Promise<string> {
  const [{ didYouMean }, { excerpt, shownText }] = await Promise.all([
    import('./util/did-you-mean.js'),
    import('./util/shown-text.js'),
  ]);
  const shown = shownText(excerpt(name));
  const names = Object.keys(COMMANDS);
  // `qoswatch --config x.yaml run`: an option first; the command named later is the one meant.
  if (name.startsWith('-')) {
    const meant = rest.find((a) => commandNamed(a));
    const expected = meant
      ? `write \`qoswatch ${meant} ${shown.slice(1, -1)} …\``
      : `expected one of ${names.join(', ')} first`;
    return `unknown command ${shown}: the command comes first, then its options; ${expected}`;
  }
  // A word far longer than any command is no typo of one (and its distance costs its length).
  const hint = name.length <= 40 ? didYouMean(name, names) : undefined;
  const expected = hint ? `did you mean "${hint}"?` : `expected one of ${names.join(', ')}`;
  return `unknown command ${shown}; ${expected}`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const asked = commandNamed(name);
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  // An error is printed with the loaded configuration's secret values hidden (the command put
  // them in processSecrets once it read the file), and the patterns (`password: x`, `u:p@`).
  const [
    { FileInvalidError },
    { UsageError },
    { packageVersion },
    { hiddenFromProcess },
    { escapeControls },
  ] = await basics();
  // ...and what it echoes of a file or the command line with its controls and direction
  // characters escaped (`\u001b`, `\u202e`): they would act on the terminal.
  const hide = (text: string, lines = true): string => escapeControls(hiddenFromProcess(text), { lines });
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help(packageVersion()));
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (!asked) {
    process.stderr.write(`qoswatch: ${await unknownCommand(name, rest)}; see \`qoswatch --help\`\n`);
    return EXIT.usage;
  }
  const command = await asked.load();
  if (wantsHelp) {
    process.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(
        `qoswatch ${name}: ${hide(err.message, false)}; see \`qoswatch ${name} --help\`\n`,
      );
      return EXIT.usage;
    }
    if (err instanceof FileInvalidError) {
      process.stderr.write(`${hide(err.message)}\n`);
      return EXIT.usage;
    }
    // One line: a line feed in a name it echoes (a file's) cannot start a line of its own.
    process.stderr.write(`qoswatch ${name}: ${hide((err as Error).message, false)}\n`);
    return EXIT.failure;
  }
}

// The first thing done, before the rest of qoswatch is loaded: for a command that stops on SIGTERM
// and SIGINT itself (`run`, `demo`, `simulate`), they are held from here until it takes them
// (onShutdown). A SIGTERM to a `run` still loading its modules stops it cleanly once started
// (exit 0), where it was killed (exit 143, nothing saved). Every other command keeps their
// default action throughout.
const argv = process.argv.slice(2);
if (commandNamed(argv[0])?.takesSignals) holdSignals();

// Node >= 22.1 keeps the code it compiles in a cache on disk (in the OS temporary folder, or
// NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a second start does not
// compile the ~200 modules a command loads again. Called before any command is imported; Node
// 20 has no such cache, and a cache that cannot be written is skipped without error.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// A reader that stops early (`qoswatch once ... | head`) is not a failure: end quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  async (err: unknown) => {
    // A failure before the command ran (a module of it not loaded: `Cannot find package 'bcryptjs'
    // imported from <dir>`): one line, as a failure while running is, every control escaped (a
    // line feed in the directory's name would start a line of its own). The modules are loaded
    // already, unless loading them is what failed: then the message is Node's, with no setting in
    // it, and JSON's escapes stand in for escapeControls.
    const [redact, oneLine] = await Promise.all([
      import('./util/log-secrets.js').then(
        (m) => m.hiddenFromProcess,
        () => (text: string) => text,
      ),
      import('./util/shown-text.js').then(
        (m) => m.oneLine,
        () => (text: string) => JSON.stringify(text).slice(1, -1),
      ),
    ]);
    process.stderr.write(`qoswatch: ${oneLine(redact(String(err)))}\n`);
    process.exitCode = 1;
  },
);
