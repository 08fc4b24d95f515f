"""Assignment and losses.

Assignment uses what synthetic (and hand-labelled) data gives exactly: visible instance masks. An
anchor is positive for the animal whose visible mask contains the anchor's centre, when the
animal's size suits the anchor's level and the anchor lies in the animal's central region. In a
packed pen this separates touching animals far better than box-based rules (their boxes overlap
heavily, their visible masks do not). An animal too small for any anchor gets the one nearest its
mask centre.

Losses: classification is quality-aware (target = IoU of the predicted box with its animal) so
scores rank boxes well for NMS; boxes use GIoU; masks use per-pixel BCE inside the animal's box,
normalised by box area (as Ultralytics does).
"""
import warnings

import torch
import torch.nn.functional as F

from .model import STRIDES

warnings.filterwarnings("ignore", message="scatter_reduce")  # torch 1.13 calls it beta; it is what we need

# Object size ranges (sqrt of box area, input pixels) handled by each level.
LEVEL_RANGES = {8: (0, 72), 16: (40, 160), 32: (110, 1e9)}


def box_iou_pairs(a, b, giou=False):
    """IoU (or GIoU) of matching rows of a and b, both [N,4] x1y1x2y2."""
    lt = torch.maximum(a[:, :2], b[:, :2])
    rb = torch.minimum(a[:, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(1)
    area_a = (a[:, 2:] - a[:, :2]).clamp(min=0).prod(1)
    area_b = (b[:, 2:] - b[:, :2]).clamp(min=0).prod(1)
    union = area_a + area_b - inter + 1e-7
    iou = inter / union
    if not giou:
        return iou
    hull = (torch.maximum(a[:, 2:], b[:, 2:]) - torch.minimum(a[:, :2], b[:, :2])).prod(1) + 1e-7
    return iou - (hull - union) / hull


def assign(anchor_points, anchor_strides, boxes, masks):
    """Per anchor, the index of its animal or -1. anchor_points [2,A]; boxes [N,4]; masks [N,h,w]."""
    a = anchor_points.shape[1]
    owner = torch.full((a,), -1, dtype=torch.long)
    if boxes.shape[0] == 0:
        return owner
    mh, mw = masks.shape[1:]
    mx = (anchor_points[0] / 4).long().clamp(0, mw - 1)
    my = (anchor_points[1] / 4).long().clamp(0, mh - 1)
    inside = masks[:, my, mx].bool()  # [N, A]
    centre = (boxes[:, :2] + boxes[:, 2:]) / 2
    wh = (boxes[:, 2:] - boxes[:, :2]).clamp(min=1)
    size = wh.prod(1).sqrt()
    stride = anchor_strides[0]
    lo = torch.tensor([LEVEL_RANGES[int(s)][0] for s in stride.tolist()])
    hi = torch.tensor([LEVEL_RANGES[int(s)][1] for s in stride.tolist()])
    level_ok = (size[:, None] >= lo[None]) & (size[:, None] < hi[None])
    dist = (anchor_points.T[None] - centre[:, None]).abs()  # [N, A, 2]
    radius = torch.maximum(2.5 * stride[None], 0.3 * wh.max(1).values[:, None])
    central = (dist.max(2).values <= radius)
    ok = inside & level_ok & central
    # An anchor inside two masks (only at mask rims after downsampling): the smaller animal wins.
    area = masks.flatten(1).sum(1).float()
    cost = torch.where(ok, area[:, None], torch.full_like(ok, 1e12, dtype=torch.float32))
    best_cost, best = cost.min(0)
    owner[best_cost < 1e12] = best[best_cost < 1e12]
    # Animals without an anchor: take the free anchor nearest their mask centre.
    for n in range(boxes.shape[0]):
        if (owner == n).any():
            continue
        ys, xs = torch.nonzero(masks[n], as_tuple=True)
        c = torch.stack([xs.float().mean(), ys.float().mean()]) * 4 + 2 if len(xs) else centre[n]
        d = ((anchor_points.T - c) ** 2).sum(1) + (owner >= 0).float() * 1e9
        owner[d.argmin()] = n
    return owner


def task_aligned_targets(pos, g, score, iou, n_animals, topk=10, alpha=0.5, beta=6.0):
    """TAL-style targets (as YOLOv8): among each animal's candidate anchors keep the `topk` with
    the best alignment score^alpha * IoU^beta; the class target of a kept anchor is its alignment
    normalised by the animal's best, times the animal's best IoU. The best anchor of an animal
    thus learns a score close to its IoU and the others much less, which is what lets greedy box
    NMS leave exactly one detection per animal. Returns (kept mask over pos, targets)."""
    align = score.pow(alpha) * iou.pow(beta)
    order = torch.argsort(align, descending=True)
    order = order[torch.sort(g[order], stable=True).indices]  # grouped by animal, best first
    counts = torch.bincount(g, minlength=n_animals)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.empty_like(g)
    rank[order] = torch.arange(len(g)) - starts[g[order]]
    kept = rank < topk
    max_align = torch.zeros(n_animals).scatter_reduce(0, g[kept], align[kept], reduce="amax", include_self=True)
    max_iou = torch.zeros(n_animals).scatter_reduce(0, g[kept], iou[kept], reduce="amax", include_self=True)
    target = align / (max_align[g] + 1e-9) * max_iou[g]
    return kept, target


def seg_loss(model, images, boxes_list, masks_list, weights=(5.0, 1.0, 2.0), mask_samples=192, topk=10):
    """Total loss and its parts. Candidates come from `assign` (visible masks), positives and
    class targets from `task_aligned_targets`. Mask loss uses at most `mask_samples` positive
    anchors per image (a deterministic spread over them) to bound the CPU cost of coef . proto."""
    dist, logits, coef, proto = model.raw(images)
    pred_boxes = model.decode_boxes(dist)  # cx, cy, w, h
    pred_xyxy = torch.cat([pred_boxes[:, :2] - pred_boxes[:, 2:] / 2, pred_boxes[:, :2] + pred_boxes[:, 2:] / 2], 1)
    cls_target = torch.zeros_like(logits)
    box_terms, mask_terms, norm, mask_norm = [], [], 0.0, 0
    ph, pw = proto.shape[2:]
    ys = torch.arange(ph, dtype=torch.float32)[None, :, None] * 4 + 2
    xs = torch.arange(pw, dtype=torch.float32)[None, None, :] * 4 + 2
    for b in range(images.shape[0]):
        gt_boxes, gt_masks = boxes_list[b], masks_list[b]
        owner = assign(model.anchor_points, model.anchor_strides, gt_boxes, gt_masks)
        pos = torch.nonzero(owner >= 0, as_tuple=True)[0]
        if len(pos) == 0:
            continue
        g = owner[pos]
        with torch.no_grad():
            iou_all = box_iou_pairs(pred_xyxy[b, :, pos].T, gt_boxes[g]).clamp(min=0)
            kept, target = task_aligned_targets(pos, g, torch.sigmoid(logits[b, 0, pos]), iou_all,
                                                gt_boxes.shape[0], topk)
        pos, g, target = pos[kept], g[kept], target[kept]
        cls_target[b, 0, pos] = target
        pb = pred_xyxy[b, :, pos].T
        tb = gt_boxes[g]
        giou = box_iou_pairs(pb, tb, giou=True)
        w = target.clamp(min=1e-3)
        box_terms.append(((1 - giou) * w).sum())
        norm += float(target.sum())
        # Masks: coefficients . prototypes, BCE inside the animal's box at 1/4 resolution.
        if len(pos) > mask_samples:
            pick = torch.linspace(0, len(pos) - 1, mask_samples).round().long()
            mpos, mg = pos[pick], g[pick]
        else:
            mpos, mg = pos, g
        mb = gt_boxes[mg]
        pm = (coef[b, :, mpos].T @ proto[b].reshape(proto.shape[1], -1)).reshape(-1, ph, pw)
        tm = gt_masks[mg].float()
        in_box = ((xs >= mb[:, 0, None, None]) & (xs <= mb[:, 2, None, None]) &
                  (ys >= mb[:, 1, None, None]) & (ys <= mb[:, 3, None, None])).float()
        bce = F.binary_cross_entropy_with_logits(pm, tm, reduction="none") * in_box
        mask_terms.append((bce.flatten(1).sum(1) / in_box.flatten(1).sum(1).clamp(min=1)).sum())
        mask_norm += len(mpos)
    norm = max(norm, 1.0)
    cls_loss = F.binary_cross_entropy_with_logits(logits, cls_target, reduction="sum") / norm
    box_loss = torch.stack(box_terms).sum() / norm if box_terms else logits.sum() * 0
    mask_loss = torch.stack(mask_terms).sum() / max(mask_norm, 1) if mask_terms else logits.sum() * 0
    total = weights[0] * box_loss + weights[1] * cls_loss + weights[2] * mask_loss
    return total, {"box": float(box_loss), "cls": float(cls_loss), "mask": float(mask_loss)}


__all__ = ["assign", "task_aligned_targets", "seg_loss", "box_iou_pairs", "STRIDES"]
