/**
 * Scratch folders in the system's temporary folder that outlive a crash no longer: each records the process that
 * owns it, and the next one made with the same prefix removes those whose owner is gone. A task sandbox's folder
 * (its code, a copy, and its data folder) and an anvil's state cache are removed by their owners when they close;
 * a process killed before that (SIGKILL, a crash) used to leave them for good.
 */
import { lstat, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The owner record: a name no one else's folder would hold beside the prefix. */
const OWNER_FILE = ".gradual-scratch-owner";

/** Makes `${prefix}XXXXXX` in the system's temporary folder, owned by this process, after removing orphans. */
export async function createScratchFolder(prefix: string): Promise<string> {
  await removeOrphanedScratchFolders(prefix);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await recordScratchOwner(dir, process.pid);
  return dir;
}

/** Records `pid` as the process whose life the folder follows (a child that keeps using it, say). */
export async function recordScratchOwner(dir: string, pid: number): Promise<void> {
  await writeFile(join(dir, OWNER_FILE), String(pid));
}

/**
 * Removes the folders named `${prefix}…` in `root` (the system's temporary folder by default) whose recorded owner
 * no longer runs. A folder without the record (someone else's with a name alike, or made by an older version), a
 * running owner's, another user's, a link, or one that cannot be read is left alone. Returns the folders removed.
 */
export async function removeOrphanedScratchFolders(prefix: string, root: string = tmpdir()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(root, name);
    if (await isOrphaned(dir)) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      removed.push(dir);
    }
  }
  return removed;
}

async function isOrphaned(dir: string): Promise<boolean> {
  // Only a real folder (not a link someone placed in a shared temporary folder) is ever removed.
  const info = await lstat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) return false;
  let text: string;
  try {
    text = await readFile(join(dir, OWNER_FILE), "utf8");
  } catch {
    return false;
  }
  const pid = Number(text.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
