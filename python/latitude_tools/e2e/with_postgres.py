"""Runs a command with a private PostgreSQL server: `python -m latitude_tools.e2e.with_postgres
-- CMD ARGS…` starts one in a temporary folder (as `make test-cluster` does for the Swift
PostgreSQL store tests), sets LATITUDE_TEST_POSTGRES to its URL, runs CMD, stops the server
and exits with CMD's status."""
import os
import subprocess
import sys
import tempfile

from latitude_tools.e2e.cluster import Postgres


def main(argv):
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        print("usage: python -m latitude_tools.e2e.with_postgres -- COMMAND [ARGS…]", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="latitude-pg-") as folder:
        postgres = Postgres(os.path.join(folder, "pg"), fsync=False).start()
        try:
            env = dict(os.environ, LATITUDE_TEST_POSTGRES=postgres.url)
            return subprocess.run(argv, env=env).returncode
        finally:
            postgres.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
