/**
 * setup.sh's Node install, once, against a local HTTP server laid out like nodejs.org/dist
 * (NODE_MIRROR): latest-v24.x/SHASUMS256.txt and node-v24.….-linux-<arch>.tar.gz. The tarball is
 * made from the npm `node@24` package's binary where this machine has it (/work/nodes/n24, or
 * NODE24_BINARY), else from the running node with bundle.env's NODE_MAJOR set to its major: the
 * same download, check, unpack and link either way. It installs into a temporary NODE_PREFIX,
 * never /usr/local. The Node on PATH is made unsupported by a stand-in `node` that says v18.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { type Server, createServer } from "node:http";
import { arch } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import type { CommandRun } from "../../../scripts/gradescope/container";
import { type Bundle, makeBundle, runAutograder, runSetup } from "../../helpers/gradescope/harness";
import { validResults } from "../../helpers/gradescope/suite";

const N24 = process.env.NODE24_BINARY ?? "/work/nodes/n24/node_modules/node/bin/node";

describe("setup.sh installs Node from NODE_MIRROR when the image has no supported one", () => {
  let b: Bundle;
  let server: Server;
  let mirror: string;
  const requests: string[] = [];
  let release: string; // node-v24.21.0-linux-x64
  let version: string; // v24.21.0
  let prefix: string;
  let fakeBin: string;
  let installed: CommandRun;
  let tarballSeconds = 0;
  /** The environment of setup.sh: an old node first on PATH, the mirror, the prefix. */
  const env: Record<string, string> = {};

  beforeAll(async () => {
    b = await makeBundle("gates", "setup-node-test");
    const binary = existsSync(N24) ? realpathSync(N24) : process.execPath;
    version = (await execa(binary, ["--version"])).stdout.trim();
    const major = version.slice(1).split(".")[0];
    if (binary === process.execPath) {
      const env = join(b.source, "bundle.env");
      writeFileSync(env, readFileSync(env, "utf8").replace(/^NODE_MAJOR=.*$/m, `NODE_MAJOR=${major}`));
    }
    release = `node-${version}-linux-${arch()}`;

    // The release as nodejs.org lays it out: bin/node, lib/node_modules/npm, bin/npm → ../lib/node_modules/npm/bin/npm-cli.js.
    const t0 = performance.now();
    const dist = join(b.tmp, "dist");
    const folder = join(dist, `latest-v${major}.x`);
    const staging = join(b.tmp, "release");
    mkdirSync(join(staging, release, "bin"), { recursive: true });
    copyFileSync(binary, join(staging, release, "bin", "node"));
    chmodSync(join(staging, release, "bin", "node"), 0o755);
    const npmCli = realpathSync((await execa("sh", ["-c", "command -v npm"])).stdout.trim());
    cpSync(dirname(dirname(npmCli)), join(staging, release, "lib", "node_modules", "npm"), { recursive: true });
    symlinkSync("../lib/node_modules/npm/bin/npm-cli.js", join(staging, release, "bin", "npm"));
    mkdirSync(folder, { recursive: true });
    const tarball = `${release}.tar.gz`;
    await execa("tar", ["-C", staging, "-I", "gzip -1", "-cf", join(folder, tarball), release]);
    const sha = createHash("sha256")
      .update(readFileSync(join(folder, tarball)))
      .digest("hex");
    writeFileSync(
      join(folder, "SHASUMS256.txt"),
      [`${"0".repeat(64)}  ${release}.pkg`, `${sha}  ${tarball}`, `${"1".repeat(64)}  node-${version}-win-x64.zip`, ""].join("\n"),
    );
    // A second mirror whose checksum does not match the tarball.
    const bad = join(dist, "tampered", `latest-v${major}.x`);
    mkdirSync(bad, { recursive: true });
    copyFileSync(join(folder, tarball), join(bad, tarball));
    writeFileSync(join(bad, "SHASUMS256.txt"), `${"f".repeat(64)}  ${tarball}\n`);
    rmSync(staging, { recursive: true, force: true });
    tarballSeconds = (performance.now() - t0) / 1000;

    server = createServer((req, res) => {
      const path = join(dist, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
      requests.push(req.url ?? "");
      if (!path.startsWith(dist) || !existsSync(path) || !statSync(path).isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-length": statSync(path).size });
      createReadStream(path).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    mirror = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

    // The image's node: an old one (a stand-in that only answers --version).
    fakeBin = join(b.tmp, "old-node-bin");
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, "node"), "#!/bin/sh\necho v18.20.4\n", { mode: 0o755 });
    prefix = join(b.tmp, "prefix");
    Object.assign(env, { NODE_MIRROR: mirror, NODE_PREFIX: prefix, PATH: `${fakeBin}:${process.env.PATH}` });
    // npm reads its global npmrc from beside its node (PREFIX/etc/npmrc), so the installed node's npm
    // would not see this machine's (its registry, proxy or CA settings): point it there.
    const globalConfig = (await execa("npm", ["config", "get", "globalconfig"])).stdout.trim();
    if (existsSync(globalConfig)) env.NPM_CONFIG_GLOBALCONFIG = globalConfig;
    installed = await runSetup(b, env);
  }, 300_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (b) {
      console.log(`setup.sh with a Node install: ${installed?.seconds.toFixed(1)} s (tarball made in ${tarballSeconds.toFixed(1)} s)`);
      rmSync(b.tmp, { recursive: true, force: true });
    }
  });

  it("downloads the release named in SHASUMS256.txt, checks it, installs it under NODE_PREFIX and runs the grader's setup with it", async () => {
    expect({ exitCode: installed.exitCode, stderr: installed.stderr }).toEqual({ exitCode: 0, stderr: "" });
    expect(installed.stdout).toContain(`setup: Node v18.20.4 at ${fakeBin}/node is not supported (20, 22, 24, 26): installing Node`);
    expect(installed.stdout).toContain(`setup: installed ${release} into ${prefix}/lib/nodejs (SHA-256 checked against ${mirror}/latest-v`);
    expect(requests.filter((r) => r.endsWith("SHASUMS256.txt") || r.endsWith(".tar.gz"))).toEqual([
      expect.stringMatching(/^\/latest-v\d+\.x\/SHASUMS256\.txt$/),
      expect.stringMatching(new RegExp(`^/latest-v\\d+\\.x/${release}\\.tar\\.gz$`)),
    ]);
    expect((await execa(join(prefix, "bin", "node"), ["--version"])).stdout.trim()).toBe(version);
    expect(readFileSync(join(b.source, "node-path"), "utf8").trim()).toBe(join(realpathSync(prefix), "lib", "nodejs", release, "bin", "node"));
    expect(readdirSync(join(prefix, "lib", "nodejs"))).toEqual([release]); // no unpacking leftovers
    // npm ci ran with the installed node's npm, and esbuild loads under it
    expect(installed.stdout).toContain(`setup: runtime dependencies: installed with npm ci (${realpathSync(prefix)}/lib/nodejs/${release}/bin/npm)`);
    expect(installed.stdout).toMatch(/setup: esbuild \d+\.\d+\.\d+ loads/);
  });

  it("run_autograder grades with the Node it installed: a correct submission gets full marks (the canary passes under that Node)", async () => {
    const run = await runAutograder(b, "installed-node", { from: join("fixtures", "submissions", "gates", "ada-classes-ts") });
    const r = validResults(run);
    expect(run.stdout).not.toContain("refusing to run student code");
    expect(r.score).toBe(r.max_score);
    expect(r.tests.every((t) => t.status === "passed")).toBe(true);
  }, 120_000);

  it("run again, keeps the Node it installed and downloads nothing", async () => {
    const before = requests.length;
    const again = await runSetup(b, env);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`setup: Node ${version} at ${prefix}/bin/node is supported (20, 22, 24, 26): not installing one`);
    expect(again.stdout).toContain("setup: runtime dependencies: already installed from this package-lock.json");
    expect(requests.length).toBe(before);
  }, 60_000);

  it("refuses a tarball whose SHA-256 is not the one SHASUMS256.txt lists, and installs nothing", async () => {
    const other = join(b.tmp, "prefix-tampered");
    const r = await runSetup(b, { ...env, NODE_MIRROR: `${mirror}/tampered`, NODE_PREFIX: other });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`setup: ${release}.tar.gz does not match its SHA-256 in ${mirror}/tampered/latest-v`);
    expect(existsSync(join(other, "bin", "node"))).toBe(false);
    expect(existsSync(join(other, "lib", "nodejs", release))).toBe(false);
  }, 60_000);
});
