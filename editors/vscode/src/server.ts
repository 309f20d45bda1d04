// Finding the threatls binary: the configured path, else the one shipped inside a platform
// build of the extension, else `threatls` on the PATH. No vscode import: unit-tested.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Resolved {
  command: string;
  from: 'setting' | 'bundled' | 'PATH';
}

// bundledPath is where a platform .vsix carries the binary (see the Makefile's vscode target).
export function bundledPath(extensionDir: string, platform = process.platform): string {
  return path.join(extensionDir, 'server', platform === 'win32' ? 'threatls.exe' : 'threatls');
}

// resolveServer picks the binary; it throws with a message a user can act on when the
// configured path does not exist.
export function resolveServer(configured: string, extensionDir: string, exists: (p: string) => boolean = isExecutable,
  platform = process.platform): Resolved {
  if (configured.trim() !== '') {
    const p = configured.trim();
    if (!exists(p)) {
      throw new Error(`threatls.server.path is set to ${p}, which is not an executable file`);
    }
    return { command: p, from: 'setting' };
  }
  const bundled = bundledPath(extensionDir, platform);
  if (exists(bundled)) return { command: bundled, from: 'bundled' };
  return { command: 'threatls', from: 'PATH' };
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

// Restarts is the crash policy: restart after a crash, but not more than max times in
// windowMs, after which the server stays down until the user restarts it.
export class Restarts {
  private times: number[] = [];
  constructor(private readonly max = 5, private readonly windowMs = 3 * 60_000) {}

  // crashed records a crash at now and says whether to restart, and which attempt it is.
  crashed(now: number): { restart: boolean; attempt: number } {
    this.times = this.times.filter((t) => now - t < this.windowMs);
    this.times.push(now);
    return { restart: this.times.length <= this.max, attempt: this.times.length };
  }
}
