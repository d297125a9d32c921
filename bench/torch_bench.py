"""PyTorch side of `npm run bench`: a small server that builds and times the benchmark workloads.

Run by bench/run.ts as a subprocess (`/usr/bin/python3 bench/torch_bench.py`), one JSON request per
line on stdin, one JSON answer per line on stdout, so the runner can interleave PyTorch's rounds
with the JavaScript contenders' (A B C A B C ...). Requests:

  {"cmd": "info"}                                    -> versions, threads, BLAS configuration
  {"cmd": "build", "key": K, "workload": W, "variant": V, "sizes": {...}}
                                                     -> builds workload W (variant "default" or
                                                        "foreach" for the Adam ones) under key K
                                                        with the runner's WorkloadSizes
  {"cmd": "run", "key": K, "reps": N}                -> {"times": [ms, ...]} for N timed steps
  {"cmd": "check", "key": K, "steps": N}             -> {"values": [...]}: each of N steps' check
                                                        value (the loss; for adam-10m sum(p * g)
                                                        after the step; for matmul sum(C * C)), float64
  {"cmd": "free", "key": K}                          -> forgets K
  {"cmd": "quit"}

Inputs and initial weights are the runner's (bench/data.ts): uniform values from a counter hash
(murmur3's fmix32 of index + seed * 0x9E3779B9), reproduced here bit for bit with numpy, so
descent, TensorFlow.js and PyTorch start from identical float32 weights and batches.

One thread: the runner sets OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1 in the
environment (torch.set_num_threads does not bound OpenBLAS's own threads) and this script calls
torch.set_num_threads(1). OPENBLAS_CORETYPE is left as the machine sets it and reported.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

M32 = 0xFFFFFFFF


def hash32(n, seed):
    """fmix32(i + seed * 0x9E3779B9) for i in [0, n), as uint64 holding 32-bit values."""
    h = (np.arange(n, dtype=np.uint64) + np.uint64((seed * 0x9E3779B9) & M32)) & np.uint64(M32)
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & np.uint64(M32)
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & np.uint64(M32)
    h ^= h >> np.uint64(16)
    return h


def uniform(shape, seed, lo, hi):
    """float32 tensor: lo + (hi - lo) * u, u = (hash >> 8) / 2^24, computed in float64, rounded once."""
    n = int(np.prod(shape))
    u = (hash32(n, seed) >> np.uint64(8)).astype(np.float64) / 16777216.0
    return torch.from_numpy((lo + (hi - lo) * u).astype(np.float32).reshape(shape))


def labels(n, seed, classes):
    return torch.from_numpy((hash32(n, seed) % np.uint64(classes)).astype(np.int64))


def linear_params(fan_in, fan_out, seed):
    """Weight [out, in] and bias [out] uniform in ±1/sqrt(fan_in) (torch.nn.Linear's default bound)."""
    b = 1.0 / np.sqrt(fan_in)
    return uniform((fan_out, fan_in), seed, -b, b), uniform((fan_out,), seed + 1, -b, b)


def conv_params(cin, cout, k, seed):
    fan_in = cin * k * k
    b = 1.0 / np.sqrt(fan_in)
    return uniform((cout, cin, k, k), seed, -b, b), uniform((cout,), seed + 1, -b, b)


def make_optimizer(name, params, variant):
    if name == "adam":
        return torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                                foreach=(variant == "foreach"))
    return torch.optim.SGD(params, lr=0.01, momentum=0.9)


class MlpStep:
    """ReLU MLP (784-256-128-10, batch 128 in the benchmark), cross-entropy; step = zero grads + fwd + bwd + step."""

    def __init__(self, opt, variant, sizes, batch):
        self.params = []
        for i in range(len(sizes) - 1):
            w, b = linear_params(sizes[i], sizes[i + 1], 10 + 2 * i)
            self.params += [w.requires_grad_(), b.requires_grad_()]
        self.x = uniform((batch, sizes[0]), 100, 0.0, 1.0)
        self.y = labels(batch, 101, sizes[-1])
        self.opt = make_optimizer(opt, self.params, variant)

    def step(self, check=False):
        p = self.params
        self.opt.zero_grad()
        h = self.x
        for i in range(0, len(p) - 2, 2):
            h = F.relu(F.linear(h, p[i], p[i + 1]))
        loss = F.cross_entropy(F.linear(h, p[-2], p[-1]), self.y)
        loss.backward()
        self.opt.step()
        return loss


class LenetStep:
    """conv5x5x6 -> relu -> pool2 -> conv5x5x16 -> relu -> pool2 -> 256-120-84-10, batch 64, Adam."""

    def __init__(self, variant, batch):
        c1w, c1b = conv_params(1, 6, 5, 20)
        c2w, c2b = conv_params(6, 16, 5, 22)
        f1w, f1b = linear_params(256, 120, 24)
        f2w, f2b = linear_params(120, 84, 26)
        f3w, f3b = linear_params(84, 10, 28)
        self.params = [t.requires_grad_() for t in (c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b, f3w, f3b)]
        self.x = uniform((batch, 1, 28, 28), 200, 0.0, 1.0)
        self.y = labels(batch, 201, 10)
        self.opt = make_optimizer("adam", self.params, variant)

    def step(self, check=False):
        p = self.params
        self.opt.zero_grad()
        h = F.max_pool2d(F.relu(F.conv2d(self.x, p[0], p[1])), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, p[2], p[3])), 2)
        h = torch.flatten(h, 1)
        h = F.relu(F.linear(h, p[4], p[5]))
        h = F.relu(F.linear(h, p[6], p[7]))
        loss = F.cross_entropy(F.linear(h, p[8], p[9]), self.y)
        loss.backward()
        self.opt.step()
        return loss


class AdamBig:
    """One Adam step over one float32 parameter of `size` elements with its gradient given."""

    def __init__(self, size, variant):
        self.p = uniform((size,), 300, -1.0, 1.0).requires_grad_()
        self.p.grad = uniform((size,), 301, -1.0, 1.0)
        self.opt = make_optimizer("adam", [self.p], variant)

    def step(self, check=False):
        self.opt.step()
        if check:  # sum of p * g in float64: moves by about -lr * sum |g| per step
            return float((self.p.detach().double() * self.p.grad.double()).sum())
        return None


class Matmul:
    """n x n @ n x n float32 (a new output tensor per call, as `a @ b` does)."""

    def __init__(self, n):
        self.a = uniform((n, n), 400, -1.0, 1.0)
        self.b = uniform((n, n), 401, -1.0, 1.0)

    def step(self, check=False):
        c = self.a @ self.b
        return float((c.double() ** 2).sum()) if check else None


class CrossEntropy:
    """F.cross_entropy(logits, target) forward + backward, logits [m, n] requiring grad."""

    def __init__(self, m, n):
        self.x = uniform((m, n), 500 + n, -3.0, 3.0).requires_grad_()
        self.y = labels(m, 501 + n, n)

    def step(self, check=False):
        self.x.grad = None
        loss = F.cross_entropy(self.x, self.y)
        loss.backward()
        return loss


def build(workload, variant, sizes):
    if workload == "mlp-adam":
        return MlpStep("adam", variant, sizes["mlpSizes"], sizes["mlpBatch"])
    if workload == "mlp-sgdm":
        return MlpStep("sgdm", variant, sizes["mlpSizes"], sizes["mlpBatch"])
    if workload == "lenet-adam":
        return LenetStep(variant, sizes["lenetBatch"])
    if workload == "adam-10m":
        return AdamBig(sizes["adamSize"], variant)
    if workload == "matmul-1024":
        return Matmul(sizes["matmulN"])
    if workload in sizes["ce"]:
        m, n = sizes["ce"][workload]
        return CrossEntropy(m, n)
    raise ValueError("unknown workload " + workload)


def cpu_capability():
    """ATen's vector ISA ("AVX2", "AVX512", "DEFAULT"), from the build/runtime configuration text."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":", 1)[1].strip()
    return None


def debian_package():
    """The python3-torch package version (Debian's 1.13.1 build calls itself 1.13.0a0), or None."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"],
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def info():
    return {
        "torch": torch.__version__,
        "debian_package": debian_package(),
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "cpu_capability": cpu_capability(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "numpy": np.__version__,
        "python": sys.version.split()[0],
    }


def main():
    torch.set_num_threads(1)
    built = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        cmd = req["cmd"]
        try:
            if cmd == "quit":
                break
            if cmd == "info":
                out = info()
            elif cmd == "build":
                built[req["key"]] = build(req["workload"], req.get("variant", "default"), req["sizes"])
                out = {"ok": True}
            elif cmd == "run":
                w = built[req["key"]]
                times = []
                for _ in range(int(req["reps"])):
                    t0 = time.perf_counter()
                    w.step()
                    times.append((time.perf_counter() - t0) * 1e3)
                out = {"times": times}
            elif cmd == "check":
                w = built[req["key"]]
                out = {"values": [float(w.step(True)) for _ in range(int(req["steps"]))]}
            elif cmd == "free":
                built.pop(req["key"], None)
                out = {"ok": True}
            else:
                raise ValueError("unknown command " + cmd)
        except Exception as e:  # reported to the runner, which marks the cell as failed
            out = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
