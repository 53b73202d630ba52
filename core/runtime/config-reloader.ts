import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { Host } from './host.js';
import type { PluginLoader } from './plugin-loader.js';
import { prepareSources } from './source-set.js';

/**
 * Reloads the config file when it changes on disk or on SIGHUP. A config that became invalid is
 * refused with its problems logged, and the running config stays.
 */
export class ConfigReloader {
  private watcher: FSWatcher | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  /** The sections that differed from the running ones at the last reload, as last said. */
  private restartNoted = '';

  constructor(
    private readonly file: string,
    private readonly host: Host,
    private readonly loader: PluginLoader,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly onLoaded?: (loaded: LoadedConfig) => void,
    /** The config the host started with: its `server`, `storage`, `log`, `mqtt` and `scheduler` stay until a restart. */
    private readonly running?: LoadedConfig,
  ) {}

  /** Watches the folder, not the file: editors replace files on save. */
  start(): void {
    const base = path.basename(this.file);
    this.watcher = watch(path.dirname(this.file), (_event, name) => {
      if (name && name.toString() !== base) return;
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload('file changed'), 250);
    });
    this.watcher.on('error', (err) => this.logger.warn({ err }, 'config watch failed; SIGHUP still reloads'));
  }

  stop(): void {
    this.watcher?.close();
    if (this.debounce) clearTimeout(this.debounce);
  }

  /** Reloads now; reloads are serialised. */
  reload(reason: string): Promise<void> {
    this.chain = this.chain.then(() => this.apply(reason));
    return this.chain;
  }

  /** Reloads unless a reload is already waiting: many standby sources due together cost one. */
  recheck(reason: string): void {
    if (this.queued) return;
    this.queued = true;
    void this.reload(reason).finally(() => {
      this.queued = false;
    });
  }

  private async apply(reason: string): Promise<void> {
    try {
      const loaded = await loadConfig(this.file, this.env);
      const prepared = await prepareSources(loaded, this.loader);
      this.onLoaded?.(loaded);
      this.noteRestartSections(loaded);
      const result = await this.host.apply(prepared);
      // A reload that changed nothing (the standby checks) is not news.
      const changed = result.started.length + result.stopped.length > 0;
      if (changed) this.logger.info({ reason, ...result }, 'config reloaded');
      else this.logger.debug({ reason }, 'config reloaded: nothing changed');
    } catch (err) {
      this.logger.error({ reason, problems: (err as Error).message }, 'config reload refused; the running config stays');
    }
  }

  /**
   * `server`, `storage`, `log`, `mqtt` and `scheduler` are read at start only: a reload that changes them says so once
   * (naming the sections, never their values, which hold secrets), not at every standby check.
   */
  private noteRestartSections(loaded: LoadedConfig): void {
    if (!this.running) return;
    const before = this.running.config;
    const after = loaded.config;
    const changed = RESTART_SECTIONS.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
    const noted = JSON.stringify(changed.map((key) => after[key]));
    if (noted === this.restartNoted) return;
    this.restartNoted = noted;
    if (changed.length > 0) this.logger.warn({ sections: changed }, `config reload: changes to ${changed.join(', ')} need a restart; the running settings stay until then`);
  }
}

/** Sections of the config the host reads only at start. */
const RESTART_SECTIONS = ['server', 'storage', 'log', 'mqtt', 'scheduler'] as const;
