#!/usr/bin/env node
// Replays tests/vectors/ through the Hermes build of flagcore-wasm on a real Hermes VM.
//
//   node tests/runners/hermes/run.mjs [VECTORS_DIR]
//
// 1. esbuild bundles main.mjs, resolving `flagcore-wasm` through its package.json "exports"
//    with the "react-native" condition, as Metro does on iOS and Android (so this also
//    checks that those platforms get pkg/hermes/).
// 2. Metro's Babel preset (babel-preset-expo, from the Expo example's node_modules) turns
//    the bundle into what an app would run, twice: with the "hermes-stable" profile that
//    Expo SDK 56 uses for its Hermes (V1), which hermesc (npm hermes-compiler, the version
//    React Native 0.85 ships) must compile to bytecode; and with the "hermes-v0" profile,
//    which lowers classes and the rest for the older VM that runs it.
// 3. The Linux `hermes` VM of npm hermes-engine-cli (0.12; flagcore-wasm's devDependencies)
//    runs the second one with the vectors prepended. Its last line of interest is
//    "hermes: N vectors replayed, M mismatches"; exits 1 on any mismatch or failure.
//
// Needs scripts/build-wasm's package and examples/expo/node_modules (scripts/test-hermes).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..", "..");
const vectorsDir = process.argv[2] ?? join(repo, "tests", "vectors");
const work = join(repo, "target", "hermes-test");
const pkgDir = join(repo, "flagcore-wasm");
const expoDir = join(repo, "examples", "expo");
const fromPkg = createRequire(join(pkgDir, "package.json"));
const fromExpo = createRequire(join(expoDir, "package.json"));
const esbuild = fromPkg("esbuild");
const babel = fromExpo("@babel/core");
const hermes = join(dirname(fromPkg.resolve("hermes-engine-cli/package.json")), "linux64-bin", "hermes");
const hermesc = join(dirname(fromExpo.resolve("hermes-compiler/package.json")), "hermesc", "linux64-bin", "hermesc");

rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, "node_modules"), { recursive: true });
symlinkSync(pkgDir, join(work, "node_modules", "flagcore-wasm"), "dir");

// --- 1. bundle ------------------------------------------------------------------------------
const built = await esbuild.build({
  entryPoints: [join(here, "main.mjs")],
  bundle: true,
  write: false,
  format: "iife",
  platform: "neutral",
  mainFields: ["react-native", "main"],
  conditions: ["react-native"],
  target: "esnext",
  nodePaths: [join(work, "node_modules")],
  metafile: true,
  logLevel: "warning",
});
const inputs = Object.keys(built.metafile.inputs);
const hermesBuild = inputs.filter((p) => p.includes("pkg/hermes/"));
if (hermesBuild.length === 0 || inputs.some((p) => /pkg\/(sync|web|plans)\//.test(p))) {
  console.error(`hermes: the "react-native" condition did not resolve to pkg/hermes only:\n  ${inputs.join("\n  ")}`);
  process.exit(1);
}
const bundle = built.outputFiles[0].text;
const phase = (() => {
  let t = Date.now();
  return (what) => {
    console.log(`hermes: ${what} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
  };
})();

// --- 2. Metro's Babel preset, as for an app's android bundle ---------------------------------
const transform = (profile) =>
  babel.transformSync(bundle, {
    babelrc: false,
    configFile: false,
    compact: false,
    sourceType: "script",
    filename: join(work, "node_modules", "bundle.js"), // in node_modules, as the package is for Metro
    caller: { name: "metro", bundler: "metro", platform: "android", engine: "hermes", isDev: false, isServer: false },
    presets: [[fromExpo.resolve("babel-preset-expo"), { unstable_transformProfile: profile, enableBabelRuntime: false }]],
  }).code;

const stable = join(work, "bundle.hermes-stable.js");
writeFileSync(stable, transform("hermes-stable"));
phase("Babel (hermes-stable)");
const version = (bin, flag) => execFileSync(bin, [flag], { encoding: "utf8" }).match(/(?:Hermes release version|Version): ?(\S+)/i)?.[1] ?? "?";
execFileSync(hermesc, ["-emit-binary", "-O", "-out", join(work, "bundle.hbc"), stable], { stdio: "inherit" });
console.log(`hermes: hermesc ${version(hermesc, "-version")} compiled the hermes-stable bundle to bytecode (${readFileSync(join(work, "bundle.hbc")).length} bytes)`);

// --- 3. the VM -----------------------------------------------------------------------------------
const files = readdirSync(vectorsDir).filter((f) => f.endsWith(".json")).sort();
// As JSON text in string literals: the VM compiles a string far faster than 10 MB of object literals.
const json = (path) => `JSON.parse(${JSON.stringify(readFileSync(path, "utf8"))})`;
const vectors = files.map((f) => `[${JSON.stringify(f)}, ${json(join(vectorsDir, f))}]`);
const prelude =
  `globalThis.__flagcoreStart = Date.now();\nglobalThis.__flagcoreVectors = [\n${vectors.join(",\n")}];\n` +
  `globalThis.__flagcoreExample = ${json(join(repo, "examples", "speech-migration.json"))};\n`;
const program = join(work, "vectors.hermes-v0.js");
writeFileSync(program, prelude + transform("hermes-v0"));
phase("hermesc + Babel (hermes-v0)");
console.log(`hermes: running on the hermes-engine-cli VM ${version(hermes, "-version")}`);
let out;
try {
  out = execFileSync(hermes, ["-O", program], { encoding: "utf8", maxBuffer: 64 << 20 });
} catch (e) {
  console.log(`${e.stdout ?? ""}${e.stderr ?? ""}`);
  console.error("hermes: the VM failed");
  process.exit(1);
}
process.stdout.write(out);
phase("the VM");
if (!/^hermes: \d+ vectors replayed, 0 mismatches/m.test(out)) process.exit(1);
