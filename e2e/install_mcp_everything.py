"""Installs @modelcontextprotocol/server-everything at a pinned version into a cache directory, once.

    python3 install_mcp_everything.py <dir> <version>

Uses the same directory and the same lock file (.install.lock, an fcntl lock) as the Java interop tests
(EverythingMcpServer), so the two never run npm in the directory at once and share one installation. npm's
package-lock.json stays in the directory and pins the transitive dependencies for later runs.
Prints the entry point (dist/index.js) on success.
"""

import fcntl
import json
import os
import subprocess
import sys

PACKAGE = "@modelcontextprotocol/server-everything"
NPM_TIMEOUT = 300


def installed_version(directory):
    manifest = os.path.join(directory, "node_modules", PACKAGE, "package.json")
    try:
        with open(manifest, encoding="utf-8") as source:
            return json.load(source).get("version")
    except (OSError, ValueError):
        return None


def npm(directory, log, *args):
    with open(log, "a", encoding="utf-8") as out:
        subprocess.run(["npm", *args], cwd=directory, stdout=out, stderr=subprocess.STDOUT, check=True,
                       timeout=NPM_TIMEOUT)


def main():
    directory, version = sys.argv[1], sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    entry = os.path.join(directory, "node_modules", PACKAGE, "dist", "index.js")
    with open(os.path.join(directory, ".install.lock"), "a") as lock:
        fcntl.lockf(lock, fcntl.LOCK_EX)
        if os.path.isfile(entry) and installed_version(directory) == version:
            print(entry)
            return 0
        log = os.path.join(directory, "npm-install.log")
        try:
            if not os.path.exists(os.path.join(directory, "package.json")):
                npm(directory, log, "init", "-y")
            npm(directory, log, "install", "--save-exact", "--no-audit", "--no-fund", "%s@%s" % (PACKAGE, version))
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            print("npm install of %s@%s failed: %s (see %s)" % (PACKAGE, version, error, log), file=sys.stderr)
            return 1
        if not os.path.isfile(entry) or installed_version(directory) != version:
            print("npm did not install %s@%s (found %s)" % (PACKAGE, version, installed_version(directory)),
                  file=sys.stderr)
            return 1
    print(entry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
