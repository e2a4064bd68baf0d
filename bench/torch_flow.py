"""PyTorch CPU baseline for `npm run bench -- flow`: the same affine coupling flow, read from the
model JSON that shiftwatch wrote, timed single-threaded for log p and for log p + score (autograd).
Not part of the product; needs `torch` and `numpy` (pip install torch numpy)."""
import json
import math
import sys
import time

import numpy as np
import torch


def build(model):
    """Tensors for each layer, in the layout documented in src/core/flow/flow-spec.ts."""
    layers = []
    for layer in model["layers"]:
        if layer["kind"] != "affine":
            raise SystemExit("only affine couplings are benchmarked")
        cond = layer["conditioner"]
        dense = [
            (torch.tensor(d["weights"], dtype=torch.float32).reshape(d["inputs"], d["outputs"]),
             torch.tensor(d["bias"], dtype=torch.float32))
            for d in cond["hidden"] + [cond["output"]]
        ]
        layers.append((torch.tensor(layer["identity"]), torch.tensor(layer["transformed"]), dense, float(layer["scaleBound"])))
    std = model["standardization"]
    mean = torch.tensor(std["mean"], dtype=torch.float32)
    scale = torch.tensor(std["scale"], dtype=torch.float32)
    act = torch.tanh if model["activation"] == "tanh" else torch.relu
    return layers, mean, scale, act


def log_prob(x, layers, mean, scale, act):
    u = (x - mean) / scale
    log_det = torch.zeros(x.shape[0])
    for identity, transformed, dense, bound in layers:
        h = u[:, identity]
        for w, b in dense[:-1]:
            h = act(h @ w + b)
        w, b = dense[-1]
        out = h @ w + b
        k = transformed.numel()
        s = bound * torch.tanh(out[:, :k] / bound)
        z_b = u[:, transformed] * torch.exp(s) + out[:, k:]
        u = u.index_copy(1, transformed, z_b)
        log_det = log_det + s.sum(dim=1)
    d = x.shape[1]
    base = -0.5 * (u * u).sum(dim=1) - 0.5 * d * math.log(2 * math.pi)
    return base + log_det - torch.log(scale).sum()


def rate(fn, rows, seconds):
    fn()  # warm-up
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        done += rows
    return done / (time.perf_counter() - start)


def main():
    model_path, data_path, batch, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    torch.set_num_threads(1)
    with open(model_path) as f:
        model = json.load(f)
    layers, mean, scale, act = build(model)
    x = torch.from_numpy(np.fromfile(data_path, dtype=np.float32).reshape(-1, model["dim"]))[:batch].contiguous()

    def lp():
        with torch.no_grad():
            return log_prob(x, layers, mean, scale, act)

    def lp_score():
        xr = x.clone().requires_grad_(True)
        out = log_prob(xr, layers, mean, scale, act)
        (grad,) = torch.autograd.grad(out.sum(), xr)
        return out, grad

    check = lp()[:8].tolist()
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "logpRowsPerSecond": rate(lp, batch, seconds),
        "logpScoreRowsPerSecond": rate(lp_score, batch, seconds),
        "logpFirstRows": check,
    }))


if __name__ == "__main__":
    main()
