// Expo's default Metro config. The one addition is for this example, not for flagcore-wasm:
// the flag config it shows is the repository's examples/speech-migration.json, one folder
// up, so Metro watches that folder too. flagcore-wasm itself needs no configuration: its
// package.json sends Metro to the Hermes build on iOS and Android, the WASM build on web.
const path = require("node:path");
const { getDefaultConfig } = require("expo/metro-config");

const config = getDefaultConfig(__dirname);
config.watchFolders = [...(config.watchFolders ?? []), path.resolve(__dirname, "..")];
module.exports = config;
