"""PigSeg: a small YOLO-style instance-segmentation network trained on PigWeight's synthetic pens.

Modules: model (network + in-graph decoding), data (scene generation and YOLO-seg loading),
loss (assignment + losses), evaluate (counting/mask metrics), export (ONNX, Ultralytics layout).
"""
