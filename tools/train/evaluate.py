#!/usr/bin/python3
"""Evaluate an exported PigSeg/Ultralytics-layout ONNX model with OpenCV DNN (the runtime PigWeight
uses) on held-out generated scenes or on a folder of images with YOLO-seg labels.

  /usr/bin/python3 tools/train/evaluate.py --model models/pigweight-demo.onnx \\
      --generator build/release/tools/scenegen/pw_gen_scene --scenes 400 --seed 424242
  /usr/bin/python3 tools/train/evaluate.py --model best.onnx --data farm/val/images

Reports count exact-match rate and MAE overall and by density band (0-20, 21-50, 51-80 animals),
precision/recall and AP50 at mask IoU 0.5, mean IoU of matches, and ms per forward pass.
The input size is read from the model (static input).
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import onnx  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pigseg.data import ScenePool, SegFolder  # noqa: E402
from pigseg.evaluate import evaluate_onnx  # noqa: E402


def input_hw(path):
    dims = onnx.load(path).graph.input[0].type.tensor_type.shape.dim
    h, w = dims[2].dim_value, dims[3].dim_value
    if not h or not w:
        sys.exit(f"{path}: the input size is not static; export with dynamic=False")
    return h, w


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True)
    p.add_argument("--generator", help="pw_gen_scene or pigweight binary")
    p.add_argument("--data", help="folder of images with YOLO-seg labels")
    p.add_argument("--scenes", type=int, default=400)
    p.add_argument("--seed", type=int, default=424242, help="run seed; never one used for training")
    p.add_argument("--work", default="data/eval-work")
    p.add_argument("--gen-size", type=int, nargs=2, default=[640, 384], metavar=("W", "H"))
    p.add_argument("--min-animals", type=int, default=0)
    p.add_argument("--max-animals", type=int, default=80)
    p.add_argument("--min-visible", type=float, default=0.5)
    p.add_argument("--conf", type=float, default=0.25)
    p.add_argument("--iou", type=float, default=0.7)
    p.add_argument("--threads", type=int, default=1, help="OpenCV threads")
    p.add_argument("--json", help="also write the metrics here")
    p.add_argument("--append-to", help="model record (e.g. models/pigweight-demo.json): add the result "
                                       "to its \"evaluations\" list")
    args = p.parse_args()
    hw = input_hw(args.model)
    if args.generator:
        pool = ScenePool(args.generator, os.path.join(args.work, f"seed{args.seed}"), args.seed, args.scenes,
                         chunk_images=args.scenes, gen_wh=tuple(args.gen_size), min_animals=args.min_animals,
                         max_animals=args.max_animals, min_visible=args.min_visible)
        data = SegFolder(pool.ensure(), hw, flips=False, label_rule="counted")
        source = {"generator_command": [str(c) for c in pool.command(0)]}
    elif args.data:
        data = SegFolder(args.data, hw, flips=False, label_rule="yolo")
        source = {"data": args.data}
    else:
        sys.exit("give --generator or --data")
    metrics = evaluate_onnx(args.model, data, conf=args.conf, iou=args.iou, threads=args.threads)
    result = {"model": args.model, "input_hw": list(hw), "conf": args.conf, "nms_iou": args.iou, **source,
              "metrics": metrics}
    print(json.dumps(result, indent=2))
    if args.append_to:
        with open(args.append_to) as f:
            record = json.load(f)
        record.setdefault("evaluations", []).append(result)
        with open(args.append_to, "w") as f:
            json.dump(record, f, indent=2, sort_keys=True)
            f.write("\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
