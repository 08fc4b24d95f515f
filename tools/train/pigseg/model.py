"""The network: a compact CSP backbone, a PAN neck and an anchor-free segmentation head whose
outputs follow the Ultralytics YOLO-seg export layout:

  output0  [1, 4 + nc + 32, A]   rows: cx, cy, w, h (input pixels), class scores (sigmoid),
                                 32 mask coefficients; A anchors over strides 8, 16, 32
  output1  [1, 32, H/4, W/4]     mask prototypes; mask = sigmoid(coefficients . prototypes)

so the C++ post-processing that serves farmers' Ultralytics models serves this one unchanged.

The decoding written into the graph follows the OpenCV 4.6 rules measured in
/work/shared/MEASURED.md: constant slices (no uneven split/chunk), reshapes with -1 in the batch
slot and Python ints elsewhere, and anchor/stride constants without a batch dimension but with
the full per-sample shape ([2, A] anchor points, [4, A] strides).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDES = (8, 16, 32)
NUM_MASKS = 32


class Conv(nn.Module):
    """Conv + BatchNorm + SiLU (BatchNorm folds into the conv at export)."""

    def __init__(self, c_in, c_out, k=3, s=1):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, k, s, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=1e-3, momentum=0.03)

    def forward(self, x):
        return F.silu(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a = Conv(c, c, 3)
        self.b = Conv(c, c, 3)

    def forward(self, x):
        return x + self.b(self.a(x))


class CSP(nn.Module):
    """C2f-like block with even channel halves taken by constant slices (OpenCV-friendly)."""

    def __init__(self, c_in, c_out, n=1):
        super().__init__()
        self.half = c_out // 2
        self.stem = Conv(c_in, 2 * self.half, 1)
        self.blocks = nn.ModuleList(Bottleneck(self.half) for _ in range(n))
        self.out = Conv((2 + n) * self.half, c_out, 1)

    def forward(self, x):
        y = self.stem(x)
        parts = [y[:, : self.half], y[:, self.half :]]
        for block in self.blocks:
            parts.append(block(parts[-1]))
        return self.out(torch.cat(parts, 1))


class SPPF(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a = Conv(c, c // 2, 1)
        self.b = Conv(c * 2, c, 1)

    def forward(self, x):
        x = self.a(x)
        y1 = F.max_pool2d(x, 5, 1, 2)
        y2 = F.max_pool2d(y1, 5, 1, 2)
        y3 = F.max_pool2d(y2, 5, 1, 2)
        return self.b(torch.cat([x, y1, y2, y3], 1))


class PigSeg(nn.Module):
    """About 1.0 M parameters at width=(16, 32, 64, 96, 128)."""

    def __init__(self, nc=1, width=(16, 32, 64, 96, 128), input_hw=(192, 320)):
        super().__init__()
        c0, c1, c2, c3, c4 = width
        self.nc = nc
        self.input_hw = tuple(input_hw)
        # Backbone: S/2, S/4, S/8 (P3), S/16 (P4), S/32 (P5).
        self.stem = nn.Sequential(Conv(3, c0, 3, 2), Conv(c0, c1, 3, 2), CSP(c1, c1, 1))
        self.down3 = nn.Sequential(Conv(c1, c2, 3, 2), CSP(c2, c2, 2))
        self.down4 = nn.Sequential(Conv(c2, c3, 3, 2), CSP(c3, c3, 2))
        self.down5 = nn.Sequential(Conv(c3, c4, 3, 2), CSP(c4, c4, 1), SPPF(c4))
        # Neck (PAN): top-down then bottom-up.
        self.td4 = CSP(c4 + c3, c3, 1)
        self.td3 = CSP(c3 + c2, c2, 1)
        self.bu4 = CSP(c2 + c3, c3, 1)
        self.bu5 = CSP(c3 + c4, c4, 1)
        self.dn3 = Conv(c2, c2, 3, 2)
        self.dn4 = Conv(c3, c3, 3, 2)
        # Heads per level: a shared 3x3 stem, then box (4 distances) and class branches (3x3 +
        # 1x1) and the 32 mask coefficients (1x1 on the stem).
        head_c = 48
        self.stem_h = nn.ModuleList(Conv(c, head_c, 3) for c in (c2, c3, c4))
        self.box = nn.ModuleList(nn.Sequential(Conv(head_c, head_c, 3), nn.Conv2d(head_c, 4, 1))
                                 for _ in STRIDES)
        self.cls = nn.ModuleList(nn.Sequential(Conv(head_c, head_c, 3), nn.Conv2d(head_c, nc, 1))
                                 for _ in STRIDES)
        self.coef = nn.ModuleList(nn.Conv2d(head_c, NUM_MASKS, 1) for _ in STRIDES)
        # Prototypes at S/4 from P3 (the 3x3 at S/8 keeps the S/4 part cheap).
        self.proto = nn.Sequential(Conv(c2, 32, 3), nn.Upsample(scale_factor=2.0, mode="nearest"),
                                   Conv(32, 32, 3), nn.Conv2d(32, NUM_MASKS, 1))
        self._init_bias()
        self.set_anchors(self.input_hw)

    def _init_bias(self):
        # Start with a low object prior (as YOLO does) so early training is stable.
        for head, stride in zip(self.cls, STRIDES):
            head[-1].bias.data.fill_(math.log(5 / self.nc / (640 / stride) ** 2))
        for head in self.box:
            head[-1].bias.data.fill_(0.0)  # 2 strides from the anchor to each side

    def set_anchors(self, input_hw):
        """Anchor centres [2, A] and strides [4, A] for a static input of input_hw (H, W)."""
        self.input_hw = tuple(input_hw)
        points, strides = [], []
        for s in STRIDES:
            h, w = input_hw[0] // s, input_hw[1] // s
            ys, xs = torch.meshgrid(torch.arange(h) + 0.5, torch.arange(w) + 0.5, indexing="ij")
            points.append(torch.stack([xs.flatten(), ys.flatten()]) * s)
            strides.append(torch.full((h * w,), float(s)))
        self.register_buffer("anchor_points", torch.cat(points, 1), persistent=False)  # [2, A] pixels
        # The same centres in grid units of their level (Ultralytics' make_anchors).
        self.register_buffer("anchor_grid", self.anchor_points / torch.cat(strides)[None], persistent=False)
        self.register_buffer("anchor_strides", torch.cat(strides).repeat(4, 1), persistent=False)  # [4, A]

    def features(self, x):
        p2 = self.stem(x)
        p3 = self.down3(p2)
        p4 = self.down4(p3)
        p5 = self.down5(p4)
        t4 = self.td4(torch.cat([F.interpolate(p5, scale_factor=2.0, mode="nearest"), p4], 1))
        t3 = self.td3(torch.cat([F.interpolate(t4, scale_factor=2.0, mode="nearest"), p3], 1))
        b4 = self.bu4(torch.cat([self.dn3(t3), t4], 1))
        b5 = self.bu5(torch.cat([self.dn4(b4), p5], 1))
        return (t3, b4, b5)

    def raw(self, x):
        """Training outputs: distances [B,4,A] (stride units, >0), class logits [B,nc,A],
        coefficients [B,32,A], prototypes [B,32,H/4,W/4]."""
        levels = self.features(x)
        dist, logits, coef = [], [], []
        for i, f in enumerate(levels):
            n = f.shape[2] * f.shape[3]
            f = self.stem_h[i](f)
            # (2 sigmoid)^2 * 2: distances in (0, 8) strides using only Sigmoid and Mul, which
            # every OpenCV 4.x DNN runs (YOLOv5 uses the same trick for its box sizes).
            s = torch.sigmoid(self.box[i](f)) * 2.0
            dist.append((s * s * 2.0).reshape(-1, 4, int(n)))
            logits.append(self.cls[i](f).reshape(-1, self.nc, int(n)))
            coef.append(self.coef[i](f).reshape(-1, NUM_MASKS, int(n)))
        return torch.cat(dist, 2), torch.cat(logits, 2), torch.cat(coef, 2), self.proto(levels[0])

    def decode_boxes(self, dist):
        """Distances (stride units) -> cx, cy, w, h in input pixels, [B, 4, A].

        Written as Ultralytics' head does it (dist2bbox on grid-unit anchors, then times the
        strides), so src/infer's RetargetInputSize recognises the anchor [2, A] and stride [4, A]
        constants and can move the model to another input size."""
        lt = dist[:, 0:2, :]
        rb = dist[:, 2:4, :]
        x1y1 = self.anchor_grid - lt
        x2y2 = self.anchor_grid + rb
        return torch.cat([(x1y1 + x2y2) * 0.5, x2y2 - x1y1], 1) * self.anchor_strides

    def forward(self, x):
        dist, logits, coef, proto = self.raw(x)
        return torch.cat([self.decode_boxes(dist), torch.sigmoid(logits), coef], 1), proto


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
