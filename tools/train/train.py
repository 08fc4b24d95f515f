#!/usr/bin/python3
"""Train PigWeight's demo segmentation model (PigSeg) on generated pen scenes (or a farm's YOLO-seg
data) and export it for PigWeight. One command, fixed seed, reproducible; writes next to the model
a JSON record of the settings, the metrics on held-out scenes (PyTorch and OpenCV DNN) and the
largest PyTorch/OpenCV output difference.

  /usr/bin/python3 tools/train/train.py --generator build/release/tools/scenegen/pw_gen_scene \\
      --out models/pigweight-demo --pool-images 12000 --epochs 3 --seed 1

Farm data instead of generated scenes:  --data DIR/images --val-data DIR2/images
Needs Debian's python3-torch, python3-numpy, python3-opencv, python3-onnx (scripts/bootstrap --train).
"""
import os

# Before torch starts OpenMP: spinning threads waste a shared 2-core machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pigseg.data import ScenePool, SegFolder, collate  # noqa: E402
from pigseg.evaluate import evaluate, evaluate_onnx  # noqa: E402
from pigseg.export import check_with_opencv, export_onnx, write_card  # noqa: E402
from pigseg.loss import seg_loss  # noqa: E402
from pigseg.model import PigSeg, count_parameters  # noqa: E402

VAL_SEED_OFFSET = 1_000_003  # held-out scenes use run seeds never used for training


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--generator", help="pw_gen_scene or pigweight binary (generated scenes)")
    p.add_argument("--data", help="folder of training images with YOLO-seg labels (instead of --generator)")
    p.add_argument("--val-data", help="folder of held-out images with YOLO-seg labels (with --data)")
    p.add_argument("--out", default="models/pigweight-demo", help="output path without extension")
    p.add_argument("--work", default="data/train-work", help="folder for the generated scene pools")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pool-images", type=int, default=12000, help="generated training images")
    p.add_argument("--chunk", type=int, default=1000, help="images per generated chunk")
    p.add_argument("--epochs", type=int, default=3, help="passes over the training images")
    p.add_argument("--val-images", type=int, default=300, help="generated held-out images")
    p.add_argument("--gen-size", type=int, nargs=2, default=[640, 384], metavar=("W", "H"),
                   help="generated image size (shrunk to --imgsz like video frames)")
    p.add_argument("--min-animals", type=int, default=0)
    p.add_argument("--max-animals", type=int, default=80)
    p.add_argument("--min-visible", type=float, default=0.5,
                   help="counting rule: an animal counts (and is labelled) when this fraction shows")
    p.add_argument("--label-rule", choices=("counted", "yolo"), default="counted",
                   help="counted: label the animals the truth JSON counts; yolo: use the label files")
    p.add_argument("--imgsz", type=int, nargs=2, default=[192, 320], metavar=("H", "W"))
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--topk", type=int, default=10,
                   help="positive anchors per animal (task-aligned assignment); fewer gives fewer duplicate boxes")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--ema", type=float, default=0.999, help="EMA decay of the exported weights (0: off)")
    p.add_argument("--threads", type=int, default=2, help="torch threads (Debian's torch starts with 1)")
    p.add_argument("--gen-threads", type=int, default=2, help="generator threads")
    p.add_argument("--eval-every", type=int, default=500, help="steps between quick held-out checks")
    p.add_argument("--max-minutes", type=float, default=0,
                   help="stop training after this many minutes (0: never; recorded when it happens)")
    p.add_argument("--schedule", choices=("steps", "time"), default="steps",
                   help="steps: cosine over epochs (reproducible); time: cosine over --max-minutes or "
                        "the epochs, whichever ends first (fits a busy machine; not step-reproducible)")
    p.add_argument("--init-weights", help="start from these weights (a .pt state dict or .ckpt.pt) instead of "
                   "random ones: fine-tune a model on more scenes; its JSON record is kept under 'initialised_from'")
    p.add_argument("--from-checkpoint", help="skip training: evaluate and export this checkpoint")
    return p.parse_args()


def seed_everything(seed, threads):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


class Ema:
    """Exponential moving average of the weights (as Ultralytics' ModelEMA), ramped in early."""

    def __init__(self, model, decay):
        self.model = copy.deepcopy(model).eval()
        self.decay = decay
        self.updates = 0
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        self.updates += 1
        d = self.decay * (1 - math.exp(-self.updates / 2000))
        src = model.state_dict()
        for k, v in self.model.state_dict().items():
            if v.dtype.is_floating_point:
                v.mul_(d).add_(src[k].detach(), alpha=1 - d)
            else:
                v.copy_(src[k])


def batches(dataset, batch, seed):
    order = list(range(len(dataset)))
    random.Random(seed).shuffle(order)
    for i in range(0, len(order) - batch + 1, batch):
        yield collate([dataset[j] for j in order[i:i + batch]])


def datasets(args, hw):
    if args.generator:
        gen_wh = tuple(args.gen_size)
        common = dict(chunk_images=args.chunk, gen_wh=gen_wh, threads=args.gen_threads,
                      min_animals=args.min_animals, max_animals=args.max_animals,
                      min_visible=args.min_visible)
        train_pool = ScenePool(args.generator, os.path.join(args.work, f"seed{args.seed}"), args.seed,
                               args.pool_images, **common)
        val_seed = args.seed + VAL_SEED_OFFSET
        val_pool = ScenePool(args.generator, os.path.join(args.work, f"seed{val_seed}"), val_seed,
                             args.val_images, **common)
        train_dirs = train_pool.ensure() if not args.from_checkpoint else []
        val_dirs = val_pool.ensure()
        record = {"train_run_seed": args.seed, "val_run_seed": val_seed,
                  "generator_command_chunk0": [str(c) for c in train_pool.command(0)],
                  "val_generator_command": [str(c) for c in val_pool.command(0)]}
        train = SegFolder(train_dirs, hw, label_rule=args.label_rule) if train_dirs else None
        return train, SegFolder(val_dirs, hw, flips=False, label_rule=args.label_rule), record
    train = SegFolder(args.data, hw, label_rule="yolo")
    val = SegFolder(args.val_data or args.data, hw, flips=False, label_rule="yolo")
    return train, val, {"data": args.data, "val_data": args.val_data or args.data}


def train(args, model, data, val, log):
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = len(data) // args.batch
    total_steps = max(1, steps_per_epoch * args.epochs)
    warmup = min(300, total_steps // 10)
    start = time.time()

    def progress(s):
        """Fraction of the run done: by steps, or (--schedule time) by whichever of steps and
        wall time (--max-minutes) is further along, so a busy machine still ends the cosine."""
        p = min(s, total_steps) / total_steps
        if args.schedule == "time" and args.max_minutes:
            p = max(p, min(1.0, (time.time() - start) / (args.max_minutes * 60)))
        return p

    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(warmup, 1)) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress(s)))))
    ema = Ema(model, args.ema) if args.ema > 0 else None
    step, seen, stopped_early = 0, 0, False
    ckpt = os.path.join(args.work, os.path.basename(args.out) + ".ckpt.pt")
    for epoch in range(args.epochs):
        data.epoch_seed = args.seed * 7919 + epoch
        model.train()
        for images, boxes, masks in batches(data, args.batch, data.epoch_seed):
            loss, parts = seg_loss(model, images, boxes, masks, topk=args.topk)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            sched.step()
            if ema:
                ema.update(model)
            step += 1
            seen += images.shape[0]
            if step % 25 == 0:
                el = time.time() - start
                print(f"epoch {epoch} step {step}/{total_steps} images {seen} loss {float(loss):.3f} "
                      f"box {parts['box']:.3f} cls {parts['cls']:.3f} mask {parts['mask']:.3f} "
                      f"lr {sched.get_last_lr()[0]:.2e} {seen / el:.1f} img/s {el / 60:.1f} min", flush=True)
            done = step == total_steps or (args.schedule == "time" and progress(step) >= 1.0)
            if step % args.eval_every == 0 or done:
                m = evaluate(ema.model if ema else model, val, limit=100)
                log.append({"step": step, "images": seen, "minutes": round((time.time() - start) / 60, 2),
                            "loss": round(float(loss), 4), **{k: round(v, 4) for k, v in parts.items()},
                            "val100_count_exact": m.get("count_exact"), "val100_count_mae": m.get("count_mae"),
                            "val100_precision": m.get("precision"), "val100_recall": m.get("recall")})
                print("check", json.dumps(log[-1]), flush=True)
                torch.save({"model": (ema.model if ema else model).state_dict(), "step": step}, ckpt)
            if args.schedule == "time" and done:
                break
            if args.max_minutes and time.time() - start > args.max_minutes * 60:
                stopped_early = True
                break
        if args.schedule == "time" and done:
            print(f"schedule done after {(time.time() - start) / 60:.1f} min", flush=True)
            break
        if stopped_early:
            print(f"stopping after {args.max_minutes} minutes (--max-minutes)", flush=True)
            break
    final = ema.model if ema else model
    torch.save({"model": final.state_dict(), "step": step}, ckpt)
    return final, {"train_seconds": round(time.time() - start, 1), "steps": step, "planned_steps": total_steps,
                   "images_seen": seen, "stopped_early_by_max_minutes": stopped_early}


def main():
    args = parse_args()
    if not args.generator and not args.data:
        sys.exit("give --generator (synthetic scenes) or --data (YOLO-seg folder)")
    seed_everything(args.seed, args.threads)
    hw = tuple(args.imgsz)
    model = PigSeg(nc=1, input_hw=hw)
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    t0 = time.time()
    data, val, data_record = datasets(args, hw)
    data_seconds = round(time.time() - t0, 1)
    log = []
    initialised_from = None
    if args.init_weights:
        state = torch.load(args.init_weights)
        model.load_state_dict(state.get("model", state) if isinstance(state, dict) and "model" in state else state)
        initialised_from = {"weights": args.init_weights}
        card = os.path.splitext(args.init_weights.replace(".ckpt.pt", ".pt"))[0]
        for candidate in (args.out + ".json", card + ".json"):
            if os.path.exists(candidate):
                with open(candidate) as f:
                    previous = json.load(f)
                initialised_from["record"] = {k: previous.get(k) for k in (
                    "settings", "data", "images_seen", "steps", "train_seconds", "metrics_heldout_opencv")}
                break
    if args.from_checkpoint:
        state = torch.load(args.from_checkpoint)
        model.load_state_dict(state["model"])
        run = {"from_checkpoint": args.from_checkpoint, "steps": state.get("step")}
        if os.path.exists(args.out + ".json"):  # keep the training record of the run that made it
            with open(args.out + ".json") as f:
                previous = json.load(f)
            for key in ("train_seconds", "planned_steps", "images_seen", "stopped_early_by_max_minutes",
                        "log", "data_seconds"):
                if key in previous:
                    run[key] = previous[key]
            run["training_settings"] = previous.get("training_settings", previous.get("settings"))
    else:
        model, run = train(args, model, data, val, log)
    model.eval()
    metrics_torch = evaluate(model, val)
    torch.save(model.state_dict(), os.path.join(args.work, os.path.basename(args.out) + ".pt"))
    made_by = run.get("training_settings") or vars(args)
    train_args = {"seed": made_by["seed"], "images_seen": run.get("images_seen"), "lr": made_by["lr"],
                  "batch": made_by["batch"], "epochs": made_by["epochs"], "pool_images": made_by["pool_images"],
                  "min_visible": made_by["min_visible"], "imgsz": list(hw)}
    example = val[0][0][None]
    export_onnx(model, args.out + ".onnx", ["pig"], train_args, example=example)
    opencv_diff = check_with_opencv(model, args.out + ".onnx", example)
    metrics_cv = evaluate_onnx(args.out + ".onnx", val, threads=1)
    record = {"settings": vars(args), "parameters": count_parameters(model), "input_hw": list(hw),
              "data": data_record, "data_seconds": data_seconds, **run,
              **({"initialised_from": initialised_from} if initialised_from else {}),
              "metrics_heldout_torch": metrics_torch, "metrics_heldout_opencv": metrics_cv,
              "opencv_max_abs_diff": opencv_diff, "log": log, "torch": torch.__version__,
              "onnx_bytes": os.path.getsize(args.out + ".onnx")}
    write_card(args.out + ".json", record)
    print(json.dumps({"metrics_opencv": metrics_cv, "opencv_max_abs_diff": opencv_diff}, indent=2))


if __name__ == "__main__":
    main()
