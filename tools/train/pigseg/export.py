"""ONNX export in the Ultralytics YOLO-seg layout, with Ultralytics metadata, checked against
OpenCV's DNN module (the runtime PigWeight uses on CPU).

Static input [1, 3, H, W] (RGB, 0..1), opset 12, outputs `output0` [1, 4+nc+32, A] and `output1`
[1, 32, H/4, W/4]. The metadata keys are those Ultralytics writes, so PigWeight's importer treats
this model exactly like a farmer's `yolo export model=best.pt format=onnx opset=12` file.
"""
import datetime
import json

import numpy as np
import onnx
import torch


def fold_identities(m):
    """Replace Identity nodes that copy an initializer by a copy of that initializer.

    torch 1.13 shares equal constants (e.g. equal folded conv biases) through Identity nodes,
    which OpenCV 4.6 DNN cannot load ("Identity ... inputs.size()")."""
    inits = {i.name: i for i in m.graph.initializer}
    keep = []
    for node in m.graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            copy = onnx.TensorProto()
            copy.CopyFrom(inits[node.input[0]])
            copy.name = node.output[0]
            m.graph.initializer.append(copy)
        else:
            keep.append(node)
    del m.graph.node[:]
    m.graph.node.extend(keep)


def export_onnx(model, path, names, train_args, opset=12, example=None):
    model.eval()
    h, w = model.input_hw
    dummy = torch.rand(1, 3, h, w) if example is None else example
    torch.onnx.export(model, dummy, path, opset_version=opset, input_names=["images"],
                      output_names=["output0", "output1"], do_constant_folding=True)
    m = onnx.load(path)
    fold_identities(m)
    metadata = {
        "description": "PigWeight demo PigSeg model (synthetic weighing pens only)",
        "author": "PigWeight",
        "date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "version": "pigseg-1",
        "license": "AGPL-3.0",
        "docs": "tools/train/README.md, models/README.md",
        "stride": "32",
        "task": "segment",
        "batch": "1",
        "imgsz": str([h, w]),
        "names": str({i: n for i, n in enumerate(names)}),
        "args": str({"batch": 1, "half": False, "dynamic": False, "simplify": False, "opset": opset,
                     "nms": False}),
        "channels": "3",
        "end2end": "False",
        "pigweight_train": json.dumps(train_args, sort_keys=True),
    }
    del m.metadata_props[:]
    for k, v in metadata.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return dummy


def check_with_opencv(model, path, dummy):
    """Max absolute difference between PyTorch and OpenCV DNN outputs on `dummy`."""
    import cv2

    net = cv2.dnn.readNetFromONNX(path)
    net.setInput(dummy.numpy())
    outs = net.forward(["output0", "output1"])
    with torch.no_grad():
        ref = model(dummy)
    return {name: float(np.abs(o - r.numpy()).max()) for name, o, r in zip(("output0", "output1"), outs, ref)}


def write_card(path, record):
    with open(path, "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write("\n")
