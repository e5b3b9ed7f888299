// Where the csms-emulator binary is: $CSMS_EMULATOR_BINARY, or the platform package npm
// installed beside this one (the esbuild way: one optional dependency per platform, of
// which npm installs only the one whose `os` and `cpu` match). Finds; never downloads.
'use strict';

const BINARY_ENV = 'CSMS_EMULATOR_BINARY';

/** The platform packages, by `${process.platform}-${process.arch}`; npm/pack.sh knows the same list. */
const PLATFORM_PACKAGES = {
  'linux-x64': '@csms-emulator/linux-x64',
  'linux-arm64': '@csms-emulator/linux-arm64',
  'darwin-x64': '@csms-emulator/darwin-x64',
  'darwin-arm64': '@csms-emulator/darwin-arm64',
  'win32-x64': '@csms-emulator/win32-x64',
};

/**
 * The path of the binary to run: `explicit`, else $CSMS_EMULATOR_BINARY, else this
 * platform's package. Throws an error naming what is missing.
 * @param {string} [explicit]
 * @returns {string}
 */
function binaryPath(explicit) {
  if (explicit) return explicit;
  if (process.env[BINARY_ENV]) return process.env[BINARY_ENV];
  const platform = `${process.platform}-${process.arch}`;
  const pkg = PLATFORM_PACKAGES[platform];
  if (!pkg) {
    throw new Error(`csms-emulator: no package carries a binary for ${platform}; set ${BINARY_ENV} to one`);
  }
  const exe = process.platform === 'win32' ? 'csms-emulator.exe' : 'csms-emulator';
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch {
    throw new Error(
      `csms-emulator: the package ${pkg} is not installed. npm installs it as an optional ` +
        `dependency of csms-emulator on ${platform}; reinstall without --omit=optional ` +
        `(or --no-optional), or set ${BINARY_ENV} to a csms-emulator binary`,
    );
  }
}

module.exports = { binaryPath, BINARY_ENV };
