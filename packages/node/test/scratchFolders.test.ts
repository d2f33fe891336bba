import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createScratchFolder, recordScratchOwner, removeOrphanedScratchFolders } from "../src/scratchFolders.ts";

const OWNER = ".gradual-scratch-owner";

test("a scratch folder records its owner, and the sweep removes only folders whose recorded owner is gone", async () => {
  const root = await mkdtemp(join(tmpdir(), "gradual-scratch-test-"));
  try {
    const gone = spawnSync(process.execPath, ["-e", ""]);
    assert.equal(gone.status, 0);
    const prefix = "scratch-x-";
    const dead = join(root, `${prefix}dead`);
    const live = join(root, `${prefix}live`);
    const unrecorded = join(root, `${prefix}unrecorded`);
    const other = join(root, "another-prefix");
    for (const dir of [dead, live, unrecorded, other]) await mkdir(join(dir, "data"), { recursive: true });
    await recordScratchOwner(dead, gone.pid as number);
    await recordScratchOwner(live, process.pid);
    await writeFile(join(other, OWNER), String(gone.pid));
    // A link in the shared temporary folder, to a folder whose record names a dead process: never followed.
    const victim = join(root, "victim");
    await mkdir(victim);
    await writeFile(join(victim, OWNER), String(gone.pid));
    const link = join(root, `${prefix}link`);
    await symlink(victim, link);
    const removed = await removeOrphanedScratchFolders(prefix, root);
    assert.deepEqual(removed, [dead]);
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(live), true, "a running owner's folder stays");
    assert.equal(existsSync(unrecorded), true, "a folder without the record (not ours, or older) stays");
    assert.equal(existsSync(other), true, "a folder without the prefix stays");
    assert.equal(existsSync(link) && existsSync(join(victim, OWNER)), true, "a link and its target stay");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("createScratchFolder makes a folder owned by this process in the temporary folder, after the sweep", async () => {
  const prefix = `gradual-scratch-own-${process.pid}-`;
  const gone = spawnSync(process.execPath, ["-e", ""]);
  const orphan = await mkdtemp(join(tmpdir(), prefix));
  await recordScratchOwner(orphan, gone.pid as number);
  const dir = await createScratchFolder(prefix);
  try {
    assert.ok(dir.startsWith(join(tmpdir(), prefix)));
    assert.equal(await readFile(join(dir, OWNER), "utf8"), String(process.pid));
    assert.equal(existsSync(orphan), false, "the orphan of the same prefix is gone");
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(orphan, { recursive: true, force: true });
  }
});
