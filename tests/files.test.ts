/**
 * makeFolder (src/files.ts): folder creation for every path a user gives (--out, --store, --state,
 * the keystore), which must fail at once with the system's error code where Node's recursive
 * mkdir would hang (a path under /proc: tests/simulation.test.ts runs that case in a child
 * process, so a regression cannot hang this worker).
 */
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeFolder } from "../src/files.ts";

describe("makeFolder", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "ntm-folder-test-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("creates every missing level, each with the mode asked", () => {
    const deep = join(root, "a", "b", "c");
    makeFolder(deep, 0o700);
    for (const level of [join(root, "a"), join(root, "a", "b"), deep]) {
      expect(statSync(level).isDirectory()).toBe(true);
      expect(statSync(level).mode & 0o777).toBe(0o700);
    }
  });

  it("leaves an existing folder and its contents alone", () => {
    makeFolder(join(root, "kept"));
    writeFileSync(join(root, "kept", "file"), "x");
    makeFolder(join(root, "kept"));
    expect(readdirSync(join(root, "kept"))).toEqual(["file"]);
  });

  it("takes a path relative to the working folder", () => {
    makeFolder(relative(process.cwd(), join(root, "rel", "dir")));
    expect(statSync(join(root, "rel", "dir")).isDirectory()).toBe(true);
  });

  it("refuses a path that is a file, or runs through one: ENOTDIR", () => {
    writeFileSync(join(root, "file"), "x");
    expect(() => makeFolder(join(root, "file"))).toThrow(expect.objectContaining({ code: "ENOTDIR" }));
    expect(() => makeFolder(join(root, "file", "below"))).toThrow(expect.objectContaining({ code: "ENOTDIR" }));
  });

  it("refuses a dangling symbolic link instead of reporting a folder that does not exist", () => {
    symlinkSync(join(root, "nowhere"), join(root, "link"));
    expect(() => makeFolder(join(root, "link"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
    expect(() => statSync(join(root, "link"))).toThrow();
  });

  it("follows a symbolic link to a folder", () => {
    makeFolder(join(root, "target"));
    symlinkSync(join(root, "target"), join(root, "link"));
    makeFolder(join(root, "link", "inside"));
    expect(statSync(join(root, "target", "inside")).isDirectory()).toBe(true);
  });
});
