"""Training data: scenes made by PigWeight's generator (`pw_gen_scene` or `pigweight gen-scene`)
or any folder of images with Ultralytics YOLO-seg labels (a farm's own data).

Labels. A generated image `images/x.jpg` has its truth `images/x.json` next to it; with the
default rule ("counted") the trainer labels exactly the animals the truth counts
(`visible_fraction >= min_visible`, the generator's `--min-visible`, default 0.5), using all
visible parts of each (the JSON polygons). Animals that show less are background, so the model
learns the counting rule and its detections can be compared with the truth `count` one to one.
With `--label-rule yolo` (and always for folders without JSON) the YOLO-seg label files are used.

Generated data is a fixed pool, written once in chunks of N images: chunk k of a pool with seed S
is `--seed S --first-index k*N --images N`, so every image is reproducible on its own and a chunk
already on disk (its `.done` file holds the exact generator flags) is reused. Images are
letterboxed to the network input the way the C++ engine does it (INTER_LINEAR, grey 114,
centred) and kept in memory as uint8.
"""
import json
import os
import random
import subprocess
from pathlib import Path

import cv2
import numpy as np
import torch

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")


def read_yolo_seg(label_path, width, height):
    """Instances (each a list of [N,2] float polygons in pixels) for class-0 lines of a label."""
    instances = []
    if not os.path.exists(label_path):
        return instances
    with open(label_path) as f:
        for line in f:
            values = line.split()
            if len(values) < 7 or int(values[0]) != 0:
                continue
            xy = np.asarray(values[1:], dtype=np.float32).reshape(-1, 2)
            xy[:, 0] *= width
            xy[:, 1] *= height
            instances.append([xy])
    return instances


def read_truth_json(json_path):
    """(instances, count) from a generator truth file: the counted animals' visible parts."""
    with open(json_path) as f:
        truth = json.load(f)
    instances = []
    for inst in truth.get("instances", []):
        if not inst.get("counted", False):
            continue
        parts = [np.asarray(p, dtype=np.float32).reshape(-1, 2) for p in inst.get("polygons", []) if len(p) >= 6]
        if parts:
            instances.append(parts)
    return instances, int(truth.get("count", len(instances)))


def label_path_for(image_path):
    """Ultralytics' rule: .../images/x.jpg -> .../labels/x.txt."""
    p = Path(image_path)
    parts = list(p.parts)
    if "images" not in parts:
        return str(p.with_suffix(".txt"))
    idx = len(parts) - 1 - parts[::-1].index("images")
    parts[idx] = "labels"
    return str(Path(*parts).with_suffix(".txt"))


def letterbox(image, input_hw):
    """As src/infer/preprocess.cpp: keep aspect, INTER_LINEAR, pad 114, centred."""
    h, w = image.shape[:2]
    th, tw = input_hw
    scale = min(th / h, tw / w)
    nh, nw = int(round(h * scale)), int(round(w * scale))
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR) if (nh, nw) != (h, w) else image
    out = np.full((th, tw, 3), 114, np.uint8)
    top, left = (th - nh) // 2, (tw - nw) // 2
    out[top:top + nh, left:left + nw] = resized
    return out, scale, left, top


class SegFolder(torch.utils.data.Dataset):
    """Images + labels, letterboxed to input_hw, cached in memory after the first read.

    Item: (image [3,H,W] float 0..1 RGB, boxes [N,4] x1y1x2y2 input pixels, masks [N,H/4,W/4]
    uint8). `counts[i]` is the truth count of image i (the number of labelled animals for YOLO
    labels). Flips (when enabled) depend only on (epoch_seed, i): reproducible.
    """

    def __init__(self, image_dirs, input_hw, flips=True, label_rule="counted", cache=True):
        if isinstance(image_dirs, (str, Path)):
            image_dirs = [image_dirs]
        self.files = []
        for d in image_dirs:
            self.files += sorted(str(p) for p in Path(d).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        self.input_hw = tuple(input_hw)
        self.flips = flips
        self.label_rule = label_rule
        self.epoch_seed = 0
        self.cache = {} if cache else None

    def __len__(self):
        return len(self.files)

    def load(self, i):
        if self.cache is not None and i in self.cache:
            return self.cache[i]
        path = self.files[i]
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            raise RuntimeError(f"cannot read image {path}")
        h, w = image.shape[:2]
        json_path = os.path.splitext(path)[0] + ".json"
        if self.label_rule == "counted" and os.path.exists(json_path):
            instances, count = read_truth_json(json_path)
        else:
            instances = read_yolo_seg(label_path_for(path), w, h)
            count = len(instances)
        image, scale, left, top = letterbox(image, self.input_hw)
        offset = np.array([left, top], np.float32)
        # Polygon vertices are pixel indices; keep them as pixel centres in input coordinates.
        instances = [[(p + 0.5) * scale + offset for p in parts] for parts in instances]
        item = (image, instances, count, scale)
        if self.cache is not None:
            self.cache[i] = item
        return item

    def count(self, i):
        return self.load(i)[2]

    def __getitem__(self, i):
        image, instances, _, scale = self.load(i)
        th, tw = self.input_hw
        rng = random.Random((self.epoch_seed * 1_000_003 + i) & 0xFFFFFFFF)
        flip_x = self.flips and rng.random() < 0.5
        flip_y = self.flips and rng.random() < 0.5
        masks, boxes = [], []
        for parts in instances:
            ps = []
            for p in parts:
                p = p.copy()
                if flip_x:
                    p[:, 0] = tw - p[:, 0]
                if flip_y:
                    p[:, 1] = th - p[:, 1]
                ps.append(p)
            m = np.zeros((th // 4, tw // 4), np.uint8)
            # Mask cell j covers input pixels [4j, 4j+4): its centre is at 4j+2 (3 fractional bits).
            cv2.fillPoly(m, [np.round((p / 4 - 0.5) * 8).astype(np.int32) for p in ps], 1, cv2.LINE_8, 3)
            if m.sum() == 0:
                continue
            allp = np.concatenate(ps)
            masks.append(m)
            half = 0.5 * scale  # vertices are pixel centres: the box reaches their outer edges
            boxes.append([allp[:, 0].min() - half, allp[:, 1].min() - half,
                          allp[:, 0].max() + half, allp[:, 1].max() + half])
        if flip_x:
            image = image[:, ::-1]
        if flip_y:
            image = image[::-1]
        tensor = torch.from_numpy(np.ascontiguousarray(image[:, :, ::-1].transpose(2, 0, 1))).float().div_(255)
        boxes = torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4)
        masks = torch.from_numpy(np.stack(masks)) if masks else torch.zeros((0, th // 4, tw // 4), dtype=torch.uint8)
        return tensor, boxes, masks


def collate(batch):
    images = torch.stack([b[0] for b in batch])
    return images, [b[1] for b in batch], [b[2] for b in batch]


def generator_command(generator, out, seed, first_index, images, gen_wh, min_animals, max_animals,
                      threads, min_visible):
    cmd = [generator, "--out", str(out), "--yolo", "--seed", str(seed),
           "--first-index", str(first_index), "--images", str(images),
           "--width", str(gen_wh[0]), "--height", str(gen_wh[1]),
           "--min", str(min_animals), "--max", str(max_animals),
           "--threads", str(threads), "--jpeg-quality", "92", "--min-visible", str(min_visible)]
    if os.path.basename(generator) == "pigweight":
        cmd.insert(1, "gen-scene")
    return cmd


class ScenePool:
    """A pool of generated scenes on disk: chunks of `chunk_images`, generated when missing."""

    def __init__(self, generator, work_dir, seed, images, chunk_images=1000, gen_wh=(640, 384),
                 threads=2, min_animals=0, max_animals=80, min_visible=0.5):
        self.generator = generator
        self.work_dir = Path(work_dir)
        self.seed = seed
        self.images = images
        self.chunk_images = min(chunk_images, images)
        self.gen_wh = gen_wh
        self.threads = threads
        self.min_animals, self.max_animals = min_animals, max_animals
        self.min_visible = min_visible

    def chunks(self):
        return (self.images + self.chunk_images - 1) // self.chunk_images

    def chunk_dir(self, k):
        return self.work_dir / f"chunk_{k:05d}"

    def command(self, k):
        n = min(self.chunk_images, self.images - k * self.chunk_images)
        return generator_command(self.generator, self.chunk_dir(k), self.seed, k * self.chunk_images, n,
                                 self.gen_wh, self.min_animals, self.max_animals, self.threads,
                                 self.min_visible)

    def ensure(self):
        """Generates missing chunks (niced); returns the image folders."""
        dirs = []
        for k in range(self.chunks()):
            out = self.chunk_dir(k)
            done = out / ".done"  # holds the command that made the chunk
            wanted = " ".join(str(c) for c in self.command(k)[1:])
            if not done.exists() or done.read_text().strip() != wanted:
                print(f"generating chunk {k + 1}/{self.chunks()} in {out}", flush=True)
                subprocess.run(["rm", "-rf", str(out)], check=True)
                rc = subprocess.run(["nice", "-n", "19"] + [str(c) for c in self.command(k)],
                                    stdout=subprocess.DEVNULL).returncode
                if rc != 0:
                    raise RuntimeError(f"scene generator failed on chunk {k} (exit {rc}): {self.command(k)}")
                done.write_text(wanted + "\n")
            dirs.append(out / "images")
        return dirs
