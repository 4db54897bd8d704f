"""What the CLI test scripts share: failures collected by check() rather
than stopping at the first, the `octet` binary run with its output
captured, and the summary and exit status at the end."""
import subprocess
import sys

failures = []


def check(cond, what):
    """Records `what` as a failure unless cond; returns cond."""
    if not cond:
        failures.append(what)
    return cond


def octet(binary, *args, timeout=120):
    """The finished `binary args...` (returncode, stdout, stderr as text)."""
    return subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                          universal_newlines=True)


def finish():
    """Prints the failures and their count; exits 1 if any, else 0."""
    for f in failures:
        print("FAIL", f)
    print("%d failures" % len(failures))
    sys.exit(1 if failures else 0)
