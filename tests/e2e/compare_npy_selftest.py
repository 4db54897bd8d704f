#!/usr/bin/python3
"""Checks that scripts/compare_npy.py, which judges the end-to-end tests,
passes what is within tolerance and fails what is not."""
import os
import subprocess
import sys
import tempfile

import numpy as np

COMPARE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "compare_npy.py")


def run(*args):
    return subprocess.run([sys.executable, COMPARE, *args], capture_output=True, text=True).returncode


def main():
    failures = []

    def expect(label, code, want):
        status = "ok  " if code == want else "FAIL"
        print(f"{status} {label}: exit {code}, want {want}")
        if code != want:
            failures.append(label)

    with tempfile.TemporaryDirectory() as d:
        ref = np.array([[2.0, -4.0, 1.0], [0.5, 3.0, -1.0]], dtype=np.float32)  # max|ref| = 4

        def save(name, array):
            path = os.path.join(d, name)
            np.save(path, np.asarray(array, dtype=np.float32))
            return path

        exp = save("ref.npy", ref)
        near = ref.copy()
        near[1, 2] += 3.9e-4  # ratio 0.975e-4
        far = ref.copy()
        far[0, 0] -= 4.2e-4  # ratio 1.05e-4
        nan = ref.copy()
        nan[0, 1] = np.nan
        expect("within 1e-4", run(save("near.npy", near), exp), 0)
        expect("beyond 1e-4", run(save("far.npy", far), exp), 1)
        expect("NaN", run(save("nan.npy", nan), exp), 1)
        expect("shape", run(save("t.npy", ref.T), exp), 1)
        expect("missing file", run(os.path.join(d, "absent.npy"), exp), 2)

        labels = os.path.join(d, "labels.npy")
        np.save(labels, np.array([0, 1], dtype=np.int64))  # ref argmax [0, 1]: accuracy 1
        expect("same accuracy", run(save("near2.npy", near), exp, "--labels", labels), 0)
        flipped = ref.copy()
        flipped[1] = [3.0, 0.5, -1.0]
        # A loose tolerance lets the values pass, so only the accuracy can fail.
        expect("values within 1", run(save("flip.npy", flipped), exp, "--tol", "1"), 0)
        expect("lower accuracy", run(save("flip.npy", flipped), exp, "--tol", "1", "--labels", labels), 1)

        out = os.path.join(d, "out")
        os.makedirs(out)
        np.save(os.path.join(out, "y.npy"), near)
        np.save(os.path.join(out, "h_n.npy"), far)
        expect("dir, named", run("--actual-dir", out, "--expected", f"y={exp}"), 0)
        expect("dir, one output bad", run("--actual-dir", out, "--expected", f"y={exp}",
                                          "--expected", f"h_n={exp}"), 1)
        np.save(os.path.join(out, "%2Fhead%2FAdd.npy"), near)  # as octet run escapes "/head/Add"
        expect("dir, escaped name", run("--actual-dir", out, "--expected", f"/head/Add={exp}"), 0)
        expect("dir, output absent", run("--actual-dir", out, "--expected", f"z={exp}"), 2)

    print(f"compare_npy self-test: {len(failures)} of the checks above failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
