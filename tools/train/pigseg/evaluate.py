"""Post-processing (the same steps as the C++ engine, src/infer/postprocess.h: confidence 0.25,
greedy NMS at IoU 0.7, masks = sigmoid(coef . proto) > 0.5 inside the box) and the metrics
reported with a model: count exact-match rate and MAE overall and by density band (0-20, 21-50,
51-80 animals, by truth count), precision/recall at mask IoU 0.5, mask AP50, mean mask IoU of
matches. Runs on the PyTorch model or on the exported ONNX file through OpenCV DNN (also timing
the forward pass there).
"""
import time

import numpy as np
import torch

from .loss import box_iou_pairs

BANDS = ((0, 20), (21, 50), (51, 80))


def nms(boxes, scores, iou_threshold):
    """Greedy NMS; boxes [N,4] x1y1x2y2. Returns kept indices (highest score first)."""
    order = scores.argsort(descending=True)
    keep = []
    while len(order):
        i = order[0]
        keep.append(int(i))
        if len(order) == 1:
            break
        rest = order[1:]
        iou = box_iou_pairs(boxes[i].expand(len(rest), 4), boxes[rest])
        order = rest[iou < iou_threshold]
    return torch.tensor(keep, dtype=torch.long)


def postprocess(output0, output1, conf=0.25, iou=0.7):
    """Detections of one image: boxes [K,4] xyxy, scores [K], masks [K,h,w] bool (1/4 res)."""
    out = output0[0]
    scores = out[4]
    keep = scores > conf
    if keep.sum() == 0:
        h, w = output1.shape[2:]
        return torch.zeros((0, 4)), torch.zeros(0), torch.zeros((0, h, w), dtype=torch.bool)
    cxcywh = out[:4, keep].T
    boxes = torch.cat([cxcywh[:, :2] - cxcywh[:, 2:] / 2, cxcywh[:, :2] + cxcywh[:, 2:] / 2], 1)
    s = scores[keep]
    coef = out[5:, keep].T
    k = nms(boxes, s, iou)
    boxes, s, coef = boxes[k], s[k], coef[k]
    proto = output1[0]
    masks = torch.sigmoid(coef @ proto.reshape(proto.shape[0], -1)).reshape(-1, *proto.shape[1:]) > 0.5
    ys = torch.arange(proto.shape[1])[None, :, None] * 4 + 2
    xs = torch.arange(proto.shape[2])[None, None, :] * 4 + 2
    in_box = (xs >= boxes[:, 0, None, None]) & (xs <= boxes[:, 2, None, None]) & \
             (ys >= boxes[:, 1, None, None]) & (ys <= boxes[:, 3, None, None])
    return boxes, s, masks & in_box


def mask_iou_matrix(a, b):
    a = a.flatten(1).float()
    b = b.flatten(1).float()
    inter = a @ b.T
    union = a.sum(1)[:, None] + b.sum(1)[None] - inter
    return inter / union.clamp(min=1)


class Metrics:
    def __init__(self):
        self.rows = []  # (true count, predicted count, tp, fp, fn, sum of matched IoU)
        self.scored = []  # (score, is true positive) of every detection, for AP50
        self.labelled = 0

    def add(self, pred_masks, pred_scores, gt_masks, true_count):
        tp, iou_sum = 0, 0.0
        hit = [False] * len(pred_masks)
        if len(pred_masks) and len(gt_masks):
            m = mask_iou_matrix(pred_masks, gt_masks.bool())
            # Detections in score order take their best free truth (as COCO matching does).
            taken = torch.zeros(m.shape[1], dtype=torch.bool)
            for i in pred_scores.argsort(descending=True).tolist():
                row = m[i].masked_fill(taken, 0)
                v, j = row.max(0)
                if v >= 0.5:
                    taken[j] = True
                    hit[i] = True
                    tp += 1
                    iou_sum += float(v)
        self.scored += list(zip(pred_scores.tolist(), hit))
        self.labelled += len(gt_masks)
        n_pred = len(pred_masks)
        self.rows.append((true_count, n_pred, tp, n_pred - tp, len(gt_masks) - tp, iou_sum))

    def ap50(self):
        if not self.scored or not self.labelled:
            return 0.0
        s = sorted(self.scored, key=lambda t: -t[0])
        tp = np.cumsum([t[1] for t in s])
        fp = np.cumsum([not t[1] for t in s])
        recall = tp / self.labelled
        precision = tp / np.maximum(tp + fp, 1)
        # All-point interpolation (COCO-style envelope).
        mrec = np.concatenate([[0.0], recall, [1.0]])
        mpre = np.concatenate([[1.0], precision, [0.0]])
        mpre = np.flip(np.maximum.accumulate(np.flip(mpre)))
        idx = np.where(mrec[1:] != mrec[:-1])[0]
        return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))

    def summary(self):
        r = np.array(self.rows, dtype=np.float64).reshape(-1, 6)
        out = {"images": int(len(r))}
        if not len(r):
            return out
        tp, fp, fn = r[:, 2].sum(), r[:, 3].sum(), r[:, 4].sum()
        out["precision"] = float(tp / max(tp + fp, 1))
        out["recall"] = float(tp / max(tp + fn, 1))
        out["mask_ap50"] = self.ap50()
        out["mask_iou_matched"] = float(r[:, 5].sum() / max(tp, 1))
        out["count_exact"] = float((r[:, 0] == r[:, 1]).mean())
        out["count_mae"] = float(np.abs(r[:, 0] - r[:, 1]).mean())
        out["count_bias"] = float((r[:, 1] - r[:, 0]).mean())
        for lo, hi in BANDS:
            sel = (r[:, 0] >= lo) & (r[:, 0] <= hi)
            if sel.any():
                out[f"count_exact_{lo}_{hi}"] = float((r[sel, 0] == r[sel, 1]).mean())
                out[f"count_mae_{lo}_{hi}"] = float(np.abs(r[sel, 0] - r[sel, 1]).mean())
                out[f"images_{lo}_{hi}"] = int(sel.sum())
        sel = r[:, 0] <= 50
        if sel.any():
            out["count_exact_0_50"] = float((r[sel, 0] == r[sel, 1]).mean())
        return out


@torch.no_grad()
def evaluate(model, dataset, conf=0.25, iou=0.7, limit=None):
    """Metrics of the PyTorch model on `dataset` (a SegFolder without flips)."""
    was_training = model.training
    model.eval()
    metrics = Metrics()
    n = len(dataset) if limit is None else min(limit, len(dataset))
    for i in range(n):
        image, _, gt_masks = dataset[i]
        out0, out1 = model(image[None])
        _, scores, masks = postprocess(out0, out1, conf, iou)
        metrics.add(masks, scores, gt_masks, dataset.count(i))
    model.train(was_training)
    return metrics.summary()


def evaluate_onnx(onnx_path, dataset, conf=0.25, iou=0.7, threads=1, limit=None):
    """Metrics of the exported model run by OpenCV DNN, plus forward time (ms per frame)."""
    import cv2

    cv2.setNumThreads(threads)
    net = cv2.dnn.readNetFromONNX(str(onnx_path))
    metrics = Metrics()
    times = []
    n = len(dataset) if limit is None else min(limit, len(dataset))
    for i in range(n):
        image, _, gt_masks = dataset[i]
        blob = image[None].numpy()
        t0 = time.perf_counter()
        net.setInput(blob)
        out0, out1 = net.forward(["output0", "output1"])
        times.append((time.perf_counter() - t0) * 1000)
        _, scores, masks = postprocess(torch.from_numpy(out0), torch.from_numpy(out1), conf, iou)
        metrics.add(masks, scores, gt_masks, dataset.count(i))
    out = metrics.summary()
    t = np.array(times[1:] if len(times) > 1 else times)
    out["opencv_threads"] = threads
    out["opencv_ms_median"] = float(np.median(t))
    out["opencv_ms_p90"] = float(np.percentile(t, 90))
    return out
