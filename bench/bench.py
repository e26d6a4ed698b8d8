#!/usr/bin/python3
"""bench.py — runs nnt and its peers on the workloads and prints one table of ratios.

Started by bench/run.sh, which builds nnt and sgemm_peak and prepares the data first; see
bench/README.md.  Everything in the table comes from this one invocation: ratios between
rows are meaningful, absolute times across invocations are not (the machine is shared).

Each program runs as its own child process; its peak resident memory is the child's
ru_maxrss (os.wait4).  Its load and train times are the ones it reports itself in the JSON
line it prints last (nnt: `nnt train --json`'s summary).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"  # Debian's python3, which has numpy, torch, sklearn (PATH may not)
ALL_WORKLOADS = ("W1", "W2", "W3", "SWEEP")


# =============================================================================================
# nnt's command line for each workload: THE ONE PLACE TO CHANGE IT.
#
# Every option that defines the algorithm is spelt out, so a change of nnt's defaults cannot
# change what is measured.  Options that newer nnt versions add are passed only when
# `nnt train --help` lists them: --optimizer sgd (plain SGD, as every peer) and --init normal
# (W ~ N(0,1)·0.01, as the tutorial and the numpy and PyTorch peers).  How nnt computes the
# algorithm is its own business (--solver auto, the default, may take the exact dual solver on
# W1); W1 is also run with --solver primal, when nnt has that option, as a second row.
# --log-every 0: no progress evaluation in between epochs (the peers do none); nnt still
# evaluates the test set once after the last epoch, inside its train_seconds (about 2% of
# W2's training work).
# =============================================================================================
# W2 again with each regulariser of issue #17 (on when the binary has the option): its cost per step
W2_VARIANTS = [
    ("--dropout", ["--dropout", "0.2"]),
    ("--augment", ["--augment", "shift=1"]),
    ("--augment", ["--augment", "rotate=10,zoom=0.1,shear=0.1"]),
    ("--augment", ["--augment", "elastic=34:4"]),
]


def nnt_train_command(nnt, help_text, workload, data_dir, model_path, hidden=None, epochs=None,
                      solver=None):
    if workload == "W1":    # the tutorial's run
        algo = ["--hidden", "7", "--act", "relu", "--lr", "0.0075", "--epochs", "2500",
                "--batch", "full"]
    elif workload == "W2":  # the realistic run
        algo = ["--hidden", "256", "--act", "relu", "--lr", "0.1", "--epochs", "5",
                "--batch", "128"]
    elif workload == "W3":  # only the load phase is read: the cheapest training after it
        algo = ["--hidden", "1", "--act", "relu", "--lr", "0.1", "--epochs", "1",
                "--batch", "128"]
    elif workload == "SWEEP":  # W2's algorithm at other sizes
        algo = ["--hidden", str(hidden), "--act", "relu", "--lr", "0.1", "--epochs", str(epochs),
                "--batch", "128"]
    else:
        raise ValueError(workload)
    if re.search(r"--optimizer\b", help_text):
        algo += ["--optimizer", "sgd"]
    if re.search(r"--init\b", help_text):
        algo += ["--init", "normal"]
    if solver and re.search(r"--solver\b", help_text):
        algo += ["--solver", solver]
    return ([nnt, "train"] + algo +
            ["--seed", "1", "--log-every", "0", "--json", "--quiet", "-o", model_path, data_dir])
# =============================================================================================


def train_flops_per_image(n_x, n_h, n_y):
    """The FLOPs one image costs in one training step (multiply-adds count 2; the elementwise
    work -- bias, activation, softmax, update -- is not counted):
      forward   Z1 = W1·X     2·n_h·n_x      Z2 = W2·A1    2·n_y·n_h
      backward  dW1 = dZ1·Xᵀ  2·n_h·n_x      dW2 = dZ2·A1ᵀ 2·n_y·n_h   dA1 = W2ᵀ·dZ2 2·n_y·n_h
    total 4·n_h·n_x + 6·n_y·n_h.  dX = W1ᵀ·dZ1 is not part of the algorithm (nobody needs the
    input's gradient) and is not counted even where a peer computes it (the tutorial does)."""
    return 4 * n_h * n_x + 6 * n_y * n_h


# ---- small helpers ---------------------------------------------------------------------------

def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def png_geometry(path):
    """(width, height, channels as nnt loads it) from a PNG's IHDR."""
    with open(path, "rb") as f:
        head = f.read(33)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError("%s: not a PNG" % path)
    w, h, _, color = struct.unpack(">IIBB", head[16:26])
    return w, h, (1 if color in (0, 4) else 3)


def list_pngs(split_dir):
    """[[paths of class 0], [paths of class 1], ...], classes and files in sorted order."""
    out = []
    for c in sorted(os.listdir(split_dir)):
        d = os.path.join(split_dir, c)
        if c.startswith(".") or not os.path.isdir(d):
            continue
        out.append([os.path.join(d, f) for f in sorted(os.listdir(d))
                    if f.lower().endswith(".png") and not f.startswith(".")])
    return out


def warm_cache(root):
    """Reads every file under root once, so decoding is timed with the page cache warm."""
    n = size = 0
    for dirpath, _, files in os.walk(root):
        for f in files:
            with open(os.path.join(dirpath, f), "rb") as fh:
                size += len(fh.read())
            n += 1
    return n, size


def cpu_busy_fraction(seconds=1.0):
    """Share of all CPUs busy over `seconds` before we start: other users of the machine."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait
    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


def run(cmd, env_extra=None, timeout=3600):
    """Runs cmd; returns dict(json=last JSON line of stdout, wall, rss_mb, rc, stderr)."""
    env = dict(os.environ)
    env.update(env_extra or {})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    result = None
    for line in reversed(stdout.strip().splitlines()):
        try:
            result = json.loads(line)
            break
        except ValueError:
            continue
    r = {"cmd": cmd, "env": env_extra or {}, "rc": p.returncode, "wall": wall,
         "rss_mb": ru.ru_maxrss * 1024 / 1e6, "json": result, "stderr": stderr[-2000:]}
    if p.returncode != 0 or result is None:
        log("FAILED (exit %d): %s\n%s" % (p.returncode, " ".join(map(shlex.quote, cmd)),
                                          stderr[-2000:]))
        r["json"] = None
    return r


def python_has(modules):
    rc = subprocess.run([PY, "-c", "import " + ", ".join(modules)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return rc == 0


def python_versions():
    code = ("import json, importlib\n"
            "v = {}\n"
            "for m in ('numpy', 'PIL', 'torch', 'sklearn'):\n"
            "    try: v[m] = importlib.import_module(m).__version__\n"
            "    except Exception: v[m] = None\n"
            "print(json.dumps(v))")
    try:
        return json.loads(subprocess.run([PY, "-c", code], capture_output=True, text=True).stdout)
    except ValueError:
        return {}


def linked_blas(binary):
    """The BLAS shared libraries a binary loads (ldd), resolved to real paths."""
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    except OSError:
        return "?"
    libs = []
    for line in out.splitlines():
        m = re.search(r"=>\s*(\S+)", line)
        if m and re.search(r"blas|blis|mkl", line, re.I):
            libs.append(os.path.realpath(m.group(1)))
    return " ".join(sorted(set(libs))) or "none (static?)"


def machine_description():
    d = {}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in lscpu.splitlines():
            k, _, v = line.partition(":")
            d[k.strip()] = v.strip()
    except OSError:
        pass
    mem = ""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
    flags = d.get("Flags", "")
    isa = [x for x in ("avx512f", "avx2", "fma", "sse4_2") if re.search(r"\b%s\b" % x, flags)]
    return {
        "cpu": d.get("Model name", platform.processor()),
        "cpus": os.cpu_count(),
        "threads_per_core": d.get("Thread(s) per core"),
        "l2": d.get("L2 cache"), "l3": d.get("L3 cache"),
        "isa": " ".join(isa), "hypervisor": d.get("Hypervisor vendor"),
        "memory": mem, "kernel": platform.release(),
    }


# ---- formatting --------------------------------------------------------------------------------

def fmt(x, digits=2):
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    if x >= 100000:
        return "%.0fk" % (x / 1000)
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.*f" % (digits, x)


def resolve(x):
    return x() if callable(x) else x


def verdict(ok):
    return "**PASS**" if ok else "**FAIL**"


# ---- the benchmark -------------------------------------------------------------------------------

class Bench:
    COLUMNS = ["work", "program", "load s", "load img/s", "train s", "s/epoch", "train img/s",
               "GFLOP/s", "% sgemm", "peak RSS MB", "acc train / test", "nnt ×", "target"]

    def __init__(self, args):
        self.a = args
        self.rows = []
        self.targets = []   # (name, ok)
        self.raw = {}
        self.peak = None    # GFLOP/s of the large sgemm
        self.notes = []
        self.effective = False
        help_run = subprocess.run([args.nnt, "train", "--help"], capture_output=True, text=True)
        self.nnt_help = help_run.stdout + help_run.stderr
        self.model_dir = tempfile.mkdtemp(prefix="nnt-bench-")
        self.nnt_version = subprocess.run([args.nnt, "--version"], capture_output=True,
                                          text=True).stdout.strip()
        m = re.search(r"(\w+) MAX_THREADS=", self.nnt_version)  # OpenBLAS's config string
        self.nnt_core = m.group(1) if m else None
        self.env_core = None

    # rows --------------------------------------------------------------------------------------
    def row(self, work, program, r=None, load=None, load_img=None, train=None, epochs=None,
            images=None, flops_per_image=None, speedup=None, target="", note_load="",
            load_only=False):
        j = (r or {}).get("json") or {}
        if load is None:
            load = j.get("load_seconds")
        if train is None and not load_only:
            train = j.get("train_seconds")
        per_epoch = train / epochs if train is not None and epochs else None
        img_s = images * epochs / train if train and images and epochs else None
        gflops = (flops_per_image * images * epochs / train * 1e-9
                  if train and images and epochs and flops_per_image else None)
        # a solver that needs fewer FLOPs than the algorithm's (nnt's dual) gets an effective rate
        eff = "*" if j.get("solver") not in (None, "primal") else ""
        if eff and gflops:
            self.effective = True
        acc = "–"
        if j.get("train_accuracy") is not None and not load_only:
            acc = "%.3f / %s" % (j["train_accuracy"], "%.3f" % j["test_accuracy"]
                                 if j.get("test_accuracy") is not None else "–")
        self.rows.append([work, program, (fmt(load) + note_load) if load is not None else "–",
                          fmt(load_img), fmt(train), fmt(per_epoch, 3), fmt(img_s), fmt(gflops) + (eff if gflops else ""),
                          (lambda: "%.0f%%%s" % (100.0 * gflops / self.peak, eff)) if gflops and self.peak
                          else "–",  # against the final ceiling: rendered when the table is
                          "%.0f" % r["rss_mb"] if r else "–",
                          acc, ("%.2f×" % speedup) if speedup else "–", target])
        return {"load": load, "train": train, "per_epoch": per_epoch, "gflops": gflops}

    def skip_row(self, work, program, why):
        self.rows.append([work, program] + ["–"] * (len(self.COLUMNS) - 4) + ["–", "skipped: " + why])

    def target(self, name, ok, text):
        """A target's cell; ok may be a function, decided when the table is rendered."""
        self.targets.append((name, ok))
        return lambda: "%s %s" % (text, verdict(resolve(ok)))

    # sgemm -------------------------------------------------------------------------------------
    def sgemm(self, when):
        """The large-sgemm rate with the environment as it is and, when nnt runs other OpenBLAS
        kernels than that environment gives (nnt may pick them itself), with nnt's kernels too;
        the ceiling is the fastest.  Returns {kernels: result}."""
        out = {}
        env = {}
        while True:
            j = run([self.a.sgemm_peak, "2048", "10"], env_extra=env)["json"]
            if not j:
                break
            self.raw["sgemm %s %s" % (when, j.get("core"))] = j
            log("large sgemm (%s, %s kernels): %.1f GFLOP/s" % (when, j.get("core"), j["gflops"]))
            self.peak = max(self.peak or 0.0, j["gflops"])
            out[j.get("core")] = j
            if not env:
                self.env_core = j.get("core")
            if env or not self.nnt_core or self.nnt_core == self.env_core:
                break
            env = {"OPENBLAS_CORETYPE": self.nnt_core}
        return out

    # running -----------------------------------------------------------------------------------
    def best_of(self, work, jobs, key, reps=None):
        """Runs jobs [(name, cmd, env)] round-robin, reps times; returns {name: the run with the
        lowest json[key]} (a failed job maps to its last failed run).  Interleaving the
        repetitions spreads the machine's slow moments over all programs alike."""
        reps = reps or self.a.reps
        best = {}
        for rep in range(reps):
            for name, cmd, env in jobs:
                log("%s: %s%s" % (work, name, " (%d of %d)" % (rep + 1, reps) if reps > 1 else ""))
                r = run(cmd, env_extra=env)
                self.raw.setdefault("%s %s" % (work, name), []).append(r)
                old = best.get(name)
                if r["json"] is None:
                    if old is None:
                        best[name] = r
                elif old is None or old["json"] is None or r["json"][key] < old["json"][key]:
                    best[name] = r
        return best

    def failed(self, work, name, r):
        if r is None or r["json"] is None:
            self.skip_row(work, name, "failed (exit %s)" % (r["rc"] if r else "?"))
            return True
        return False

    # W1 ----------------------------------------------------------------------------------------
    def w1(self):
        d = self.a.catvnoncat
        if not d or not os.path.isdir(os.path.join(d, "train")):
            self.skip_row("W1", "all", "no catvnoncat at %s (set CATVNONCAT=DIR)" % d)
            return
        train = list_pngs(os.path.join(d, "train"))
        m = sum(len(c) for c in train)
        w, h, c = png_geometry(train[0][0])
        n_x, n_h, n_y, epochs = w * h * c, 7, 1, 2500
        kw = dict(epochs=epochs, images=m, flops_per_image=train_flops_per_image(n_x, n_h, n_y))
        warm_cache(d)

        script = os.path.join(HERE, "tutorial_numpy.py")
        peers = [("numpy f32, the tutorial's code", ["--dtype", "float32"], True),
                 ("numpy f32, without the unused dA0", ["--dtype", "float32", "--no-dA0"], False),
                 ("numpy f64, as the tutorial wrote it", ["--dtype", "float64"], False)]
        jobs = [("nnt", nnt_train_command(self.a.nnt, self.nnt_help, "W1", d,
                                          os.path.join(self.model_dir, "w1.bin")), {})]
        # where nnt can compute W1 another way than the peers do (its dual solver), also time
        # it the peers' way: the products of the algorithm, through the same BLAS
        has_solver = re.search(r"--solver\b", self.nnt_help) is not None
        if has_solver:
            jobs.append(("nnt --solver primal",
                         nnt_train_command(self.a.nnt, self.nnt_help, "W1", d,
                                           os.path.join(self.model_dir, "w1p.bin"),
                                           solver="primal"), {}))
        have_numpy = python_has(["numpy", "PIL"])
        if have_numpy:
            jobs += [(name, [PY, script, d, "--epochs", str(epochs)] + extra, self.a.peer_env)
                     for name, extra, _ in peers]
        best = self.best_of("W1", jobs, "train_seconds")

        rn = best["nnt"]
        if self.failed("W1", "nnt", rn):
            return
        solver = rn["json"].get("solver")
        self.row("W1", "nnt" + (" (solver: %s)" % solver if solver else ""), rn, **kw)
        rp = best.get("nnt --solver primal")
        if has_solver and not self.failed("W1", "nnt --solver primal", rp):
            self.row("W1", "nnt --solver primal", rp, **kw)
        else:
            rp = None
        if not have_numpy:
            self.skip_row("W1", "numpy (tutorial)", "/usr/bin/python3 lacks numpy or PIL "
                          "(apt-get install python3-numpy python3-pil, or run.sh --install)")
            return
        for name, _, is_target in peers:
            r = best.get(name)
            if self.failed("W1", name, r):
                continue
            sp = r["json"]["train_seconds"] / rn["json"]["train_seconds"]
            tgt = self.target("W1 nnt ≥ 4× numpy f32", sp >= 4.0, "nnt ≥ 4×:") if is_target else ""
            if rp:  # nnt's primal solver against this peer, for the record (not a target)
                sp_p = r["json"]["train_seconds"] / rp["json"]["train_seconds"]
                tgt = (lambda t, x: lambda: "; ".join(
                    filter(None, [resolve(t), "nnt primal ×%.2f" % x])))(tgt, sp_p)
            self.row("W1", name, r, speedup=sp, target=tgt, **kw)

    # W2 ----------------------------------------------------------------------------------------
    def w2(self):
        d = self.a.fmnist_png
        n_x, n_h, n_y, epochs, m = 784, 256, 10, 5, 60000
        fpi = train_flops_per_image(n_x, n_h, n_y)
        kw = dict(epochs=epochs, images=m, flops_per_image=fpi)
        if not d or not os.path.isdir(os.path.join(d, "train")):
            self.skip_row("W2", "all", "no Fashion-MNIST PNG folders at %s" % d)
            return
        warm_cache(d)

        idx = ["--src", self.a.fmnist_idx]
        # (name, modules, script, extra environment, target name, nnt must be this many × faster)
        peers = [
            ("numpy f32", ["numpy"], "mlp_numpy.py", {}, "W2 nnt ≥ 3× numpy f32 per epoch", 3.0),
            ("PyTorch %s" % (self.versions.get("torch") or ""), ["torch", "numpy"], "mlp_torch.py",
             self.a.torch_env, "W2 nnt faster than PyTorch", 1.0),
            ("scikit-learn MLPClassifier", ["sklearn", "numpy"], "mlp_sklearn.py", {}, None, None),
        ]
        jobs = [("nnt", nnt_train_command(self.a.nnt, self.nnt_help, "W2", d,
                                          os.path.join(self.model_dir, "w2.bin")), {})]
        # the regularisers' cost on the same step (issue #17: augmentation under 25 % of it),
        # each run beside the plain one so the machine's slow moments fall on both alike
        variants = []
        for opt, extra in W2_VARIANTS:
            if re.search(r"%s\b" % re.escape(opt), self.nnt_help):
                cmd = nnt_train_command(self.a.nnt, self.nnt_help, "W2", d,
                                        os.path.join(self.model_dir, "w2v.bin"))
                variants.append(("nnt " + " ".join(extra), cmd[:-1] + extra + cmd[-1:]))
        jobs += [(name, cmd, {}) for name, cmd in variants]
        missing = {}
        for name, mods, script, env, _, _ in peers:
            if python_has(mods):
                jobs.append((name, [PY, os.path.join(HERE, script)] + idx,
                             dict(self.a.peer_env, **env)))
            else:
                missing[name] = mods
        best = self.best_of("W2", jobs, "train_seconds")

        rn = best["nnt"]
        if self.failed("W2", "nnt", rn):
            return
        j = rn["json"]
        gflops = fpi * m * epochs / j["train_seconds"] * 1e-9
        tgt = [self.target("W2 ≥ 60% of large sgemm",
                           lambda: self.peak is not None and gflops >= 0.6 * self.peak,
                           "≥ 60% sgemm:"),
               self.target("W2 peak RSS ≤ 150 MB", rn["rss_mb"] <= 150.0, "RSS ≤ 150 MB:")]
        n_loaded = j.get("train_images", m) + j.get("test_images", 0)
        self.row("W2", "nnt (PNG folders)", rn, load_img=n_loaded / j["load_seconds"],
                 target=lambda: "; ".join(t() for t in tgt), **kw)

        for name, _ in variants:
            r = best.get(name)
            if self.failed("W2", name, r):
                continue
            cost = r["json"]["train_seconds"] / j["train_seconds"] - 1.0
            tgt = ""
            if "--augment" in name:
                tgt = self.target("W2 %s costs ≤ 25%% of the step" % name, cost <= 0.25,
                                  "+%.0f%% time, ≤ 25%%:" % (100.0 * cost))
            else:
                tgt = "+%.0f%% time" % (100.0 * cost)
            self.row("W2", name, r, target=tgt, **kw)

        for name, mods, script, env, tname, need in peers:
            if name in missing:
                self.skip_row("W2", name, "/usr/bin/python3 cannot import %s (run.sh --install)"
                              % ", ".join(mods))
                continue
            r = best.get(name)
            if self.failed("W2", name, r):
                continue
            sp = r["json"]["train_seconds"] / j["train_seconds"]
            tgt = ""
            if tname:
                tgt = self.target(tname, sp >= need if need > 1 else sp > need,
                                  "nnt ≥ %g×:" % need if need > 1 else "nnt faster:")
            label = name + (" (%s)" % " ".join("%s=%s" % kv for kv in env.items()) if env else "")
            self.row("W2", label, r, note_load=" (IDX)", speedup=sp, target=tgt, **kw)

    # W3 ----------------------------------------------------------------------------------------
    def w3(self):
        d = self.a.fmnist_png
        if not d or not os.path.isdir(os.path.join(d, "train")):
            self.skip_row("W3", "all", "no Fashion-MNIST PNG folders at %s" % d)
            return
        n_files, size = warm_cache(d)
        n_img = sum(len(c) for s in ("train", "test") if os.path.isdir(os.path.join(d, s))
                    for c in list_pngs(os.path.join(d, s)))
        log("W3: %d PNGs (%.0f MB) in the page cache" % (n_img, size / 1e6))
        have_pil = python_has(["numpy", "PIL"])
        jobs = [("nnt", nnt_train_command(self.a.nnt, self.nnt_help, "W3", d,
                                          os.path.join(self.model_dir, "w3.bin")), {})]
        if have_pil:
            jobs.append(("PIL + numpy", [PY, os.path.join(HERE, "load_pil.py"), d], self.a.peer_env))
        best = self.best_of("W3", jobs, "load_seconds", reps=self.a.w3_reps * self.a.reps)

        rn = best["nnt"]
        if self.failed("W3", "nnt", rn):
            return
        tn = rn["json"]["load_seconds"]
        self.row("W3", "nnt (load phase of `nnt train`, %d threads)" % os.cpu_count(), rn,
                 load=tn, load_img=n_img / tn, load_only=True)
        if not have_pil:
            self.skip_row("W3", "PIL + numpy", "/usr/bin/python3 lacks numpy or PIL")
            return
        rp = best["PIL + numpy"]
        if self.failed("W3", "PIL + numpy", rp):
            return
        tp = rp["json"]["load_seconds"]
        sp = tp / tn
        self.row("W3", "PIL + numpy (1 thread)", rp, load=tp, load_img=n_img / tp,
                 load_only=True, speedup=sp,
                 target=self.target("W3 nnt ≥ 4× PIL + numpy", sp >= 4.0, "nnt ≥ 4×:"))

    # SWEEP -------------------------------------------------------------------------------------
    def subset(self, n):
        """A train-only copy (hard links) of the first n/10 images of each class."""
        src = os.path.join(self.a.fmnist_png, "train")
        dst = os.path.join(self.a.work, "data", "fashion-mnist-train-%d" % n)
        classes = list_pngs(src)
        per = n // len(classes)
        ok = os.path.isdir(dst) and all(
            len(os.listdir(os.path.join(dst, "train", os.path.basename(os.path.dirname(c[0]))))) == per
            for c in classes)
        if ok:
            return dst
        tmp = dst + ".tmp"
        subprocess.run(["rm", "-rf", tmp], check=True)
        for c in classes:
            cd = os.path.join(tmp, "train", os.path.basename(os.path.dirname(c[0])))
            os.makedirs(cd)
            for p in c[:per]:
                try:
                    os.link(p, os.path.join(cd, os.path.basename(p)))
                except OSError:
                    with open(p, "rb") as fi, open(os.path.join(cd, os.path.basename(p)), "wb") as fo:
                        fo.write(fi.read())
        subprocess.run(["rm", "-rf", dst], check=True)
        os.rename(tmp, dst)
        return dst

    def sweep(self):
        if not self.a.fmnist_png or not os.path.isdir(os.path.join(self.a.fmnist_png, "train")):
            self.skip_row("sweep", "nnt", "no Fashion-MNIST PNG folders")
            return
        # the same number of images per run (epochs ∝ 1 / images), so that no run is too short
        # to time: sweep_epochs epochs at 60k images
        points = [(15000, 256), (30000, 256), (60000, 256), (60000, 64), (60000, 128)]
        jobs = []
        for n, h in points:
            d = self.subset(n)
            warm_cache(d)
            epochs = self.a.sweep_epochs * 60000 // n
            jobs.append(((n, h), nnt_train_command(self.a.nnt, self.nnt_help, "SWEEP", d,
                                                   os.path.join(self.model_dir, "sweep.bin"),
                                                   hidden=h, epochs=epochs), {}))
        res = self.best_of("sweep", jobs, "train_seconds")

        def scaling(r, base, work, what):
            if not (r["json"] and base["json"]) or r is base:
                return ""
            ratio = ((r["json"]["train_seconds"] / r["json"]["epochs"]) /
                     (base["json"]["train_seconds"] / base["json"]["epochs"]))
            return "%s → s/epoch ×%.2f (%.2f of linear)" % (what, ratio, ratio / work)

        # images at 256 hidden against 15k images; hidden units at 60k images against 64
        for n, h in [(15000, 256), (30000, 256), (60000, 64), (60000, 128), (60000, 256)]:
            r = res[(n, h)]
            name = "nnt %dk img, %d hidden" % (n // 1000, h)
            if self.failed("sweep", name, r):
                continue
            text = [scaling(r, res[(15000, 256)], n / 15000, "images ×%g" % (n / 15000))
                    if h == 256 else "",
                    scaling(r, res[(60000, 64)], h / 64, "hidden ×%g" % (h / 64))
                    if n == 60000 else ""]
            self.row("sweep", name, r, epochs=r["json"]["epochs"], images=n,
                     flops_per_image=train_flops_per_image(784, h, 10),
                     target="; ".join(t for t in text if t))

    # the table ---------------------------------------------------------------------------------
    def table(self):
        lines = ["| " + " | ".join(self.COLUMNS) + " |",
                 "|" + "|".join("---" for _ in self.COLUMNS) + "|"]
        for r in self.rows:
            lines.append("| " + " | ".join(str(resolve(x)) for x in r) + " |")
        return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workloads", nargs="*", help="any of %s (default: all)" % " ".join(ALL_WORKLOADS))
    ap.add_argument("--nnt", required=True)
    ap.add_argument("--sgemm-peak", required=True)
    ap.add_argument("--work", required=True, help="work directory (data subsets, results)")
    ap.add_argument("--catvnoncat", default="")
    ap.add_argument("--fmnist-png", default="")
    ap.add_argument("--fmnist-idx", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--reps", type=int, default=1,
                    help="run every program this many times, interleaved, and keep its best run")
    ap.add_argument("--w3-reps", type=int, default=3,
                    help="W3's loads are short: this many times --reps")
    ap.add_argument("--sweep-epochs", type=int, default=5,
                    help="epochs of the 60k-image sweep runs (15k: 4 times as many)")
    ap.add_argument("--torch-env", default="",
                    help="VAR=VALUE,... set for the PyTorch peer only")
    ap.add_argument("--peer-env", default="",
                    help="VAR=VALUE,... set for every Python peer (e.g. OPENBLAS_CORETYPE=SkylakeX)")
    ap.add_argument("--command", default="", help="the command line to record in the output")
    ap.add_argument("--nnt-source", default="", help="where the nnt binary came from, to record")
    ap.add_argument("--wait-quiet", type=float, default=0,
                    help="wait up to this many seconds for the CPUs to be idle before starting")
    a = ap.parse_args()
    wl = [w.upper() for w in a.workloads] or list(ALL_WORKLOADS)
    bad = [w for w in wl if w not in ALL_WORKLOADS]
    if bad:
        ap.error("unknown workload %s (known: %s)" % (" ".join(bad), " ".join(ALL_WORKLOADS)))
    a.torch_env = dict(kv.split("=", 1) for kv in a.torch_env.split(",") if "=" in kv)
    a.peer_env = dict(kv.split("=", 1) for kv in a.peer_env.split(",") if "=" in kv)

    b = Bench(a)
    b.versions = python_versions()
    busy = cpu_busy_fraction()
    deadline = time.monotonic() + a.wait_quiet
    if busy > 0.10 and a.wait_quiet > 0:
        log("waiting up to %.0f s for the CPUs to be idle (now %.0f%% busy)" % (a.wait_quiet, 100 * busy))
        while busy > 0.10 and time.monotonic() < deadline:
            busy = cpu_busy_fraction(2.0)
    started = datetime.datetime.now().astimezone()
    with open("/proc/loadavg") as f:
        load_before = f.read().split()[:3]
    mach = machine_description()
    nnt_version = b.nnt_version
    blas_env = {k: v for k, v in sorted(os.environ.items())
                if k.startswith(("OPENBLAS_", "OMP_", "GOTO", "BLIS_", "MKL_"))}
    if busy > 0.10:
        log("WARNING: %.0f%% of the CPUs were busy before the start (load %s): "
            "other processes share the machine; ratios will be noisy" % (100 * busy, " ".join(load_before)))

    t_all = time.perf_counter()
    # the ceiling moves with the machine's state (here 170-300 GFLOP/s within minutes): it is
    # measured before every workload and at the end, and the highest rate counts
    sgemms = []
    for w in wl:
        sgemms.append(("before " + w, b.sgemm("before " + w)))
        {"W1": b.w1, "W2": b.w2, "W3": b.w3, "SWEEP": b.sweep}[w]()
    sgemms.append(("at the end", b.sgemm("end")))
    busy_after = cpu_busy_fraction(0.5)
    elapsed = time.perf_counter() - t_all

    core = b.env_core or "?"
    if core in ("Prescott", "Core2", "Nehalem", "Katmai") and "avx2" in mach["isa"]:
        b.notes.append(
            "with this environment OpenBLAS runs its %s (SSE-only) kernels on this %s CPU: "
            "this OpenBLAS does not recognise the processor. %s The Python peers run with %s."
            % (core, mach["isa"],
               "nnt asks for its %s kernels itself (OPENBLAS_CORETYPE, when none is set)."
               % b.nnt_core if b.nnt_core and b.nnt_core != core else
               "OPENBLAS_CORETYPE=SkylakeX (AVX-512) or Haswell (AVX2) selects faster ones.",
               "the environment as it is plus " + ", ".join("%s=%s" % kv for kv in a.peer_env.items())
               if a.peer_env else "the environment as it is (harness option PEERS_ENV "
               "changes that)"))

    out = []
    out.append("nnt benchmark, %s, %.0f s" % (started.strftime("%Y-%m-%d %H:%M %Z"), elapsed))
    if a.command:
        out.append("command: %s" % a.command)
    out.append("machine: %s, %s CPUs (%s thread(s) per core), %s, %s%s; kernel %s" % (
        mach["cpu"], mach["cpus"], mach["threads_per_core"], mach["memory"], mach["isa"],
        ", hypervisor " + mach["hypervisor"] if mach["hypervisor"] else "", mach["kernel"]))
    out.append("nnt: %s (%s)" % (nnt_version.replace("\n", "; "), a.nnt_source or a.nnt))
    blas_nnt, blas_sg = linked_blas(a.nnt), linked_blas(a.sgemm_peak)
    out.append("BLAS: nnt loads %s%s; OpenBLAS kernels: %s in this environment, %s in nnt" % (
        blas_nnt, "" if blas_nnt == blas_sg else " (WARNING: sgemm_peak loads %s)" % blas_sg,
        core, b.nnt_core or "?"))
    out.append("environment: %s" % (", ".join("%s=%s" % kv for kv in blas_env.items())
                                    or "no OPENBLAS_*/OMP_*/BLIS_*/MKL_* variables set"))
    out.append("python peers: /usr/bin/python3 %s; %s" % (
        platform.python_version(),
        ", ".join("%s %s" % (k, v) for k, v in b.versions.items() if v) or "none"))
    out.append("other load: %.0f%% of the CPUs busy before the start, %.0f%% after the end "
               "(loadavg %s); the harness ran at niceness %d"
               % (100 * busy, 100 * busy_after, " ".join(load_before), os.nice(0)))
    if a.reps > 1:
        out.append("repetitions: every program ran %d times, interleaved (W3: %d); each row is "
                   "its fastest run" % (a.reps, a.reps * a.w3_reps))
    else:
        out.append("repetitions: one run of every program (W3: best of %d)" % a.w3_reps)

    kernels = []
    for _, sg in sgemms:
        kernels += [k for k in sg if k not in kernels]
    out.append("large sgemm (2048³, best of 10, all cores), GFLOP/s with %s kernels: %s; "
               "%% sgemm is against the highest, %s GFLOP/s" % (
                   " / ".join(kernels),
                   ", ".join("%s %s" % (when, " / ".join(fmt(sg[k]["gflops"]) if k in sg else "–"
                                                        for k in kernels))
                             for when, sg in sgemms), fmt(b.peak)))
    out.append("")
    out.append(b.table())
    out.append("")
    targets = [(n, bool(resolve(ok))) for n, ok in b.targets]
    b.targets = targets
    met = sum(1 for _, ok in targets if ok)
    out.append("targets met: %d of %d%s" % (met, len(targets), "".join(
        "; missed: " + ", ".join(n for n, ok in targets if not ok) if met < len(targets) else "")))
    if b.effective:
        b.notes.insert(0, "* an effective rate: the FLOPs of the algorithm (bench/README.md) "
                          "over the time of a solver that needs fewer (nnt's dual solver computes "
                          "the same full-batch descent through the m x m Gram matrix); not "
                          "comparable with the large-sgemm rate.")
    for n in b.notes:
        out.append("note: " + n)
    text = "\n".join(out)
    print(text)

    rdir = os.path.join(a.work, "results")
    os.makedirs(rdir, exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    with open(os.path.join(rdir, stamp + ".md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(rdir, stamp + ".json"), "w") as f:
        json.dump({"machine": mach, "nnt": nnt_version, "environment": blas_env,
                   "versions": b.versions, "busy_before": busy, "busy_after": busy_after,
                   "runs": b.raw, "targets": b.targets}, f, indent=1, default=str)
    log("results in %s/%s.{md,json}" % (rdir, stamp))
    subprocess.run(["rm", "-rf", b.model_dir])
    return 0


if __name__ == "__main__":
    sys.exit(main())
