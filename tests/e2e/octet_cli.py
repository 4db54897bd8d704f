"""What the e2e scripts share to drive the `octet` binary: run a command,
failing the test with its output when it exits nonzero, and read the JSON
object a `--json` command prints last."""
import json
import subprocess
import sys


def octet(binary, *args):
    """stdout of `binary args...`; exits the script with FAIL on a nonzero exit."""
    cmd = [binary, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"FAIL {' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def last_json(text):
    """The JSON object on the last line of `text`."""
    return json.loads(text.strip().splitlines()[-1])
