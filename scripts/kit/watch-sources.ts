/**
 * Watching a folder tree for saved files, whichever way the editor saves: in place, by writing a
 * temporary file and renaming it over the old one (vim, JetBrains' safe write, many formatters),
 * or by deleting the file and creating it again. Each folder is watched (fs.watch on the folder,
 * not recursive), never a file: a watch on a file follows its inode, which a rename over it
 * replaces, so the watch goes blind after the first such save; Node's recursive mode on Linux
 * (before Node 22 in particular) is built from such watches. A folder's watch sees every name that
 * appears, changes or goes in it, and the tree is walked again after each event, so a folder
 * created later (a helpers/ folder) is watched too. A burst of events (one save is several: write,
 * rename, delete a backup) is reported once, `debounceMs` after the last.
 */
import { type FSWatcher, readdirSync, watch } from "node:fs";
import { join, relative, sep } from "node:path";

export interface WatchOptions {
  /** Whether a file (its path relative to the root, "/" separators) is one whose change matters. */
  relevant: (file: string) => boolean;
  /** Whether a folder (its name) is never watched: node_modules, .git … */
  skipped: (name: string) => boolean;
  debounceMs: number;
  /** The files that changed (relative paths, sorted), once per burst of events. */
  onChange: (files: string[]) => void;
}

export interface SourceWatcher {
  close(): void;
}

export function watchSources(root: string, options: WatchOptions): SourceWatcher {
  const watchers = new Map<string, FSWatcher>();
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const fire = () => {
    timer = undefined;
    const files = [...changed].sort();
    changed.clear();
    if (files.length > 0 && !closed) options.onChange(files);
  };

  /** Watch every folder of the tree not yet watched; stop watching folders that are gone. */
  const sync = () => {
    const present = new Set<string>();
    const walk = (dir: string) => {
      present.add(dir);
      if (!watchers.has(dir)) add(dir);
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return; // gone meanwhile
      }
      for (const e of entries) if (e.isDirectory() && !options.skipped(e.name)) walk(join(dir, e.name));
    };
    walk(root);
    for (const [dir, w] of watchers) {
      if (present.has(dir)) continue;
      w.close();
      watchers.delete(dir);
    }
  };

  const add = (dir: string) => {
    let w: FSWatcher;
    try {
      w = watch(dir, (_event, name) => {
        if (closed) return;
        const file = name === null ? null : relative(root, join(dir, name.toString())).split(sep).join("/");
        // no name (some platforms, an overflowing queue): whatever changed there may matter
        if (file === null || options.relevant(file)) changed.add(file ?? (relative(root, dir).split(sep).join("/") || "."));
        sync();
        if (changed.size > 0) {
          clearTimeout(timer);
          timer = setTimeout(fire, options.debounceMs);
        }
      });
    } catch {
      return; // gone before it could be watched: the next sync drops it
    }
    // a folder deleted under its watch (EPERM on Windows): forget it, the tree is walked again
    w.on("error", () => {
      w.close();
      watchers.delete(dir);
      if (!closed) sync();
    });
    watchers.set(dir, w);
  };

  sync();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
