import type { Logger } from 'pino';
import type { Dispatcher } from '../notify/dispatcher.js';
import type { Webhooks } from '../poll/webhooks/service.js';
import type { StateFiles } from '../util/state-files.js';
import type { FileBudgetStore } from '../zoom/budget-file.js';
import type { AlertFlow } from './alert-flow.js';
import type { HttpApi } from './http-api.js';
import type { RuleReloader } from './rule-reload.js';
import { saveInTurn, type Save } from './saves.js';

/** What a shutdown saves and closes: the Daemon's parts that hold state or an open resource. */
export interface ShutdownParts {
  log: Logger;
  stateFiles: StateFiles;
  reloader: RuleReloader;
  alerts: AlertFlow;
  api: HttpApi;
  webhooks: Webhooks | undefined;
  budgetStores: readonly FileBudgetStore[];
  dispatcher: () => Dispatcher | undefined;
  /** The notification outbox's file, once startNotifications has opened it. */
  notifyFile: () => string | undefined;
}

/** The Daemon's saves and closes at stop, and what a stop cut short has not saved yet. */
export class Shutdown {
  private unsavedNow: string[] | undefined;

  constructor(private readonly parts: ShutdownParts) {}

  /**
   * Saves state and closes everything. A save that fails (state dir gone, disk full) is logged
   * as not saved and does not stop the rest: the HTTP server is closed whatever happens.
   * Returns what was not saved (empty when all was).
   */
  async close(): Promise<string[]> {
    this.parts.reloader.close();
    const unsaved = await this.save();
    await this.parts.api.close();
    return unsaved;
  }

  /**
   * After `qoswatch once`: saves the daily budget count alone (its calls count in the pool the
   * running daemon shares) and closes the rest. The alert state and the rest of state.dir belong
   * to the daemon that may be running on it. Returns what was not saved.
   */
  async closeSavingBudget(): Promise<string[]> {
    const { stateFiles, log } = this.parts;
    const saves = this.budgetSaves();
    const unsaved = await saveInTurn(
      saves,
      stateFiles,
      log,
      saves.map((s) => s.what),
    );
    await this.closeWithoutSaving();
    return unsaved;
  }

  /** After a failed start: closes what was opened (HTTP, notifiers, watchers); nothing changed, so nothing to save. */
  async closeWithoutSaving(): Promise<void> {
    const { reloader, api, webhooks } = this.parts;
    reloader.close();
    const dispatcher = this.parts.dispatcher();
    await dispatcher?.close().catch(() => undefined);
    await api.close();
    await webhooks?.close();
  }

  /** Saves the alert state, the notification outbox and the budget counts; returns what failed. */
  private async save(): Promise<string[]> {
    const { alerts, webhooks, stateFiles, log } = this.parts;
    const alertFile = alerts.store.file;
    const notifyFile = this.parts.notifyFile();
    const saves: Save[] = [
      // First: no more webhooks taken, and those acknowledged handed on before the alert state is saved.
      ...(webhooks
        ? [
            {
              what: 'the webhook spool and the memory of requests seen',
              run: () => webhooks.close(),
              files: [],
            },
          ]
        : []),
      { what: `alert state (${alertFile})`, run: () => alerts.commit(true), files: [alertFile] },
      {
        what: 'the notification outbox and log',
        run: () => this.parts.dispatcher()?.close(),
        files: notifyFile ? [notifyFile] : [],
      },
      ...this.budgetSaves(),
    ];
    this.unsavedNow = saves.map((s) => s.what);
    return saveInTurn(saves, stateFiles, log, this.unsavedNow);
  }

  private budgetSaves(): Save[] {
    return this.parts.budgetStores.map((s) => ({
      what: 'the daily budget count',
      run: () => s.flush(),
      files: [s.file],
    }));
  }

  /** What a shutdown has not (yet) saved: everything before close() runs, then what is left. */
  notSaved(): string[] {
    return (
      this.unsavedNow ?? [`alert state (${this.parts.alerts.store.file})`, 'the notification outbox and log']
    );
  }
}
