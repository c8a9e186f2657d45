#!/usr/bin/env python3
"""normscope {{VERSION}}: the network of {{QUERY}} at step {{STEP}}, in PyTorch.

Written by normscope's Export menu ("PyTorch script"). It needs only torch
(>= 2.4, for nn.RMSNorm). It rebuilds the network with torch.nn modules (the same
wiring, normalization, activation, init and optimizer), loads normscope's current
weights, BatchNorm running statistics and optimizer state from the data at the end
of this file, and runs normscope's probe pass on the current batch: forward and
backward in the config's mode, nothing updated. It prints the loss and every hidden
layer's output std and gradient std (population std, over batch x width) next to
the numbers normscope showed for this state; they agree to 1e-5 relative.

    python3 {{FILE}}
        prints the probe pass of this state;
    python3 {{FILE}} --train N
        first takes N more training steps (at most {{NEXT_STEPS}}) on normscope's own
        next batches, then prints the probe pass of the state they reach.

See train() below for what --train reproduces and how to go on from there.
"""

import argparse
import array
import base64
import math
import sys

import torch
import torch.nn.functional as F
from torch import nn

# Every config key, typed (normscope's README lists them); joined as key=value&...
# they rebuild this network in normscope from step 0.
CONFIG = {{CONFIG}}
STEP = {{STEP}}  # training steps normscope had taken
BATCH = CONFIG["batch"]
# normscope's torch.nn.init gain for the activation (torch has none for gelu: sqrt 2).
GAIN = {{GAIN}}
# What normscope showed for this state: the loss, then per hidden layer the
# population std of its output h and of dL/dh.
NORMSCOPE = {{NORMSCOPE}}
# Where normscope's training first produced a non-finite number, or None.
DIVERGED = {{DIVERGED}}

PHI = {
    "linear": lambda x: x,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "gelu": lambda x: F.gelu(x),  # the exact erf form
}


def make_norm(features):
    """The normalization of a hidden layer (config keys norm, eps, momentum,
    affine, groups). A formula variant would be one more kind here."""
    kind, eps, affine = CONFIG["norm"], CONFIG["eps"], CONFIG["affine"]
    if kind == "none":
        return nn.Identity()
    if kind == "batch":
        return nn.BatchNorm1d(features, eps=eps, momentum=CONFIG["momentum"], affine=affine)
    if kind == "layer":
        return nn.LayerNorm(features, eps=eps, elementwise_affine=affine)
    if kind == "group":
        return nn.GroupNorm(CONFIG["groups"], features, eps=eps, affine=affine)
    if kind == "rms":
        return nn.RMSNorm(features, eps=eps, elementwise_affine=affine)
    raise ValueError(f"unknown norm {kind!r}")


class Block(nn.Module):
    """One hidden layer (normscope's docs/network.md):
    before: a = h W^T + b; h' = phi(N(a))      after: h' = N(phi(a))
    pre:    a = N(h) W^T + b; h' = h + phi(a)  post:  h' = N(h + phi(a))"""

    def __init__(self, wiring, fan_in, width):
        super().__init__()
        self.wiring, self.phi = wiring, PHI[CONFIG["activation"]]
        self.linear = nn.Linear(fan_in, width)
        self.norm = make_norm(fan_in if wiring == "pre" else width)

    def forward(self, h):
        if self.wiring == "before":
            return self.phi(self.norm(self.linear(h)))
        if self.wiring == "after":
            return self.norm(self.phi(self.linear(h)))
        if self.wiring == "pre":
            return h + self.phi(self.linear(self.norm(h)))
        return self.norm(h + self.phi(self.linear(h)))


class Net(nn.Module):
    """depth blocks (the first always plain), the final norm of residual=pre, a
    Linear(width, 2) head; the loss is F.cross_entropy of its logits."""

    def __init__(self):
        super().__init__()
        depth, width, residual = CONFIG["depth"], CONFIG["width"], CONFIG["residual"]
        d_in = width if CONFIG["dataset"] == "gaussian" else 2
        wiring = [CONFIG["position"]] + [CONFIG["position"] if residual == "none" else residual] * (depth - 1)
        self.blocks = nn.ModuleList(Block(w, d_in if i == 0 else width, width) for i, w in enumerate(wiring))
        final = residual == "pre" and depth > 1 and CONFIG["norm"] != "none"
        self.final_norm = make_norm(width) if final else nn.Identity()
        self.head = nn.Linear(width, 2)

    def forward(self, x, taps=None):
        h = x
        for block in self.blocks:
            h = block(h)
            if taps is not None:
                h.retain_grad()
                taps.append(h)
        return self.head(self.final_norm(h))


def init_weights(model):
    """normscope's init (keys init and scale; biases 0 except torch_default) with
    torch.nn.init. Not called here, since the weights are loaded; calling it
    starts afresh from torch's random stream, so from other numbers than
    normscope's step 0 (drawn from the same distributions)."""
    scheme, scale = CONFIG["init"], CONFIG["scale"]
    for linear in (m for m in model.modules() if isinstance(m, nn.Linear)):
        w, fan_in = linear.weight, linear.weight.shape[1]
        with torch.no_grad():
            if scheme == "torch_default":  # nn.Linear's own: U(+-1/sqrt fan_in), weight x scale
                linear.reset_parameters()
                w.mul_(scale)
                continue
            nn.init.zeros_(linear.bias)
            if scheme == "zeros":
                nn.init.zeros_(w)
            elif scheme == "normal":
                nn.init.normal_(w, 0.0, scale)
            elif scheme == "uniform":
                nn.init.uniform_(w, -scale, scale)
            elif scheme == "xavier_uniform":
                nn.init.xavier_uniform_(w, gain=scale)
            elif scheme == "xavier_normal":
                nn.init.xavier_normal_(w, gain=scale)
            elif scheme == "kaiming_uniform":  # kaiming_uniform_(w, nonlinearity=...) x scale
                bound = math.sqrt(3.0) * scale * GAIN / math.sqrt(fan_in)
                nn.init.uniform_(w, -bound, bound)
            elif scheme == "kaiming_normal":  # kaiming_normal_(w, nonlinearity=...) x scale
                nn.init.normal_(w, 0.0, scale * GAIN / math.sqrt(fan_in))
            elif scheme == "lecun_normal":  # untruncated N(0, scale^2 / fan_in)
                nn.init.normal_(w, 0.0, scale / math.sqrt(fan_in))
            elif scheme == "orthogonal":
                nn.init.orthogonal_(w, gain=scale)


def tensor(name):
    """A tensor of DATA: base64 of little-endian float32 (f), uint16 (H) or uint8 (B)."""
    shape, code, text = DATA[name]
    values = array.array(code, base64.b64decode(text))
    if sys.byteorder == "big":
        values.byteswap()
    dtype = {"f": torch.float32, "H": torch.int16, "B": torch.uint8}[code]
    flat = torch.frombuffer(values, dtype=dtype).clone() if len(values) else torch.empty(0, dtype=dtype)
    if code == "H":  # torch reads uint16 as int16: back to 0..65535
        flat = flat.to(torch.int64) & 0xFFFF
    return flat.reshape(shape)


def make_optimizer(model):
    """The optimizer (keys optimizer and lr) with normscope's state: momentum
    buffers, or Adam's moments and step count."""
    kind, lr = CONFIG["optimizer"], CONFIG["lr"]
    params = dict(model.named_parameters())
    if kind == "adam":
        optimizer = torch.optim.Adam(params.values(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    else:
        optimizer = torch.optim.SGD(params.values(), lr=lr, momentum=0.9 if kind == "momentum" else 0.0)
    for name, param in params.items():
        if kind == "momentum" and f"optim:{name}:momentum_buffer" in DATA:
            optimizer.state[param] = {"momentum_buffer": tensor(f"optim:{name}:momentum_buffer")}
        if kind == "adam" and f"optim:{name}:exp_avg" in DATA:
            optimizer.state[param] = {
                "step": torch.tensor(float(ADAM_STEPS)),
                "exp_avg": tensor(f"optim:{name}:exp_avg"),
                "exp_avg_sq": tensor(f"optim:{name}:exp_avg_sq"),
            }
    return optimizer


def make_scheduler(optimizer):
    """The learning-rate warmup (key warmup, N steps; 0: none): step t, counted
    from 0, trains with lr * min(1, (t + 1) / N), as in normscope. LambdaLR
    stepped after every optimizer.step(); built with last_epoch=STEP - 1 it
    resumes where normscope stopped, at step STEP."""
    n = CONFIG["warmup"]
    for group in optimizer.param_groups:
        group.setdefault("initial_lr", group["lr"])
    factor = (lambda t: min(1.0, (t + 1) / n)) if n else (lambda t: 1.0)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor, last_epoch=STEP - 1)


def probe(model, x, y):
    """normscope's probe pass: forward and backward on (x, y) in the config's mode.
    Nothing is updated: BatchNorm's running statistics, which torch updates on a
    forward in train mode, are put back. Returns the loss and, per hidden layer,
    the population std of h and of dL/dh."""
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    model.train(CONFIG["mode"] == "train")
    taps = []
    loss = F.cross_entropy(model(x, taps), y)
    model.zero_grad()
    loss.backward()
    model.zero_grad()
    model.load_state_dict(saved)
    return loss.item(), [(h.std(unbiased=False).item(), h.grad.std(unbiased=False).item()) for h in taps]


def train(model, optimizer, scheduler, steps):
    """Continues training as normscope's next `steps` steps would: model.train(),
    normscope's own next batches (NEXT_POINTS: indices into the embedded
    1024-point dataset, from its seeded shuffle), mean cross-entropy, one
    optimizer step and one warmup scheduler step each. float32 sums are rounded in another order than
    normscope's, so the two drift apart slowly (under 1e-4 relative after 3 steps).
    Returns the last batch, the one normscope's probe pass would use next.

    To go on beyond NEXT_STEPS steps, draw batches of your own, e.g. for epochs:
        for idx in torch.randperm(len(data_x)).split(BATCH): ...
    """
    data_x, data_y = tensor("data:x"), tensor("data:y").long()
    points = tensor("next_points").reshape(-1, BATCH)
    model.train()
    for idx in points[:steps]:
        optimizer.zero_grad()
        F.cross_entropy(model(data_x[idx]), data_y[idx]).backward()
        optimizer.step()
        scheduler.step()
    return data_x[idx], data_y[idx]


def relative(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=0, metavar="N",
                        help=f"train N more steps on normscope's batches first (at most {NEXT_STEPS})")
    args = parser.parse_args()
    if not 0 <= args.train <= NEXT_STEPS:
        parser.error(f"--train takes 0 to {NEXT_STEPS} steps, got {args.train}")
    torch.manual_seed(0)
    model = Net()
    state = {name: tensor(name) for name in model.state_dict() if name in DATA}
    for name in model.state_dict():  # BatchNorm's counter: one per training step
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(STEP)
    model.load_state_dict(state)
    optimizer = make_optimizer(model)
    scheduler = make_scheduler(optimizer)
    x, y = tensor("batch:x"), tensor("batch:y").long()
    if args.train:
        x, y = train(model, optimizer, scheduler, args.train)
    loss, layers = probe(model, x, y)
    step = STEP + args.train
    print(f"step {step} ({CONFIG['mode']} mode, batch {len(y)}); torch {torch.__version__}")
    if args.train:
        print(f"loss {loss:.9g}")
        for index, (out_std, grad_std) in enumerate(layers):
            print(f"layer {index + 1} out_std {out_std:.9g} grad_std {grad_std:.9g}")
        return
    print(f"loss {loss:.9g} normscope {NORMSCOPE['loss']:.9g}")
    worst = relative(loss, NORMSCOPE["loss"])
    for index, ((out_std, grad_std), (n_out, n_grad)) in enumerate(zip(layers, NORMSCOPE["layers"])):
        print(f"layer {index + 1} out_std {out_std:.9g} normscope {n_out:.9g} "
              f"grad_std {grad_std:.9g} normscope {n_grad:.9g}")
        worst = max(worst, relative(out_std, n_out), relative(grad_std, n_grad))
    print(f"largest relative difference from normscope: {worst:.3g}")
    if DIVERGED:
        where = f"layer {DIVERGED['layer']}" if DIVERGED["layer"] else "the loss"
        print(f"(normscope diverged at step {DIVERGED['step']} in {where}: its stds count only "
              "the finite values, torch's are nan where any value is not finite)")
    if CONFIG["norm"] == "group" and CONFIG["groups"] == CONFIG["width"]:
        print("(groups = width: every norm output is exactly beta, which torch's float32 GroupNorm "
              "misses by up to ~1e-4, so a std of 0 in normscope is a small number here)")


# The tensors, by name: (shape, array typecode, base64 of the little-endian values).
# Parameters and buffers under their state_dict names; "optim:<param>:<state>";
# the current batch; the dataset; the points of the next NEXT_STEPS batches.
ADAM_STEPS = {{ADAM_STEPS}}
NEXT_STEPS = {{NEXT_STEPS}}
DATA = {
{{DATA}}}

if __name__ == "__main__":
    main()
