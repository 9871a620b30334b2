"""Loads filmroom's exports with the reference readers: pycocotools for COCO, py-motmetrics for MOT.

usage: reference-readers.py COCO_JSON MOT_CSV GROUND_TRUTH_MOT_CSV
prints one JSON object: what pycocotools read, and motmetrics' IDF1, ID switches and MOTA.
"""
import json
import sys

import motmetrics as mm
from pycocotools.coco import COCO

coco_path, mot_path, truth_path = sys.argv[1:4]
coco = COCO(coco_path)
person = coco.getCatIds(catNms=["person"])
truth = mm.io.loadtxt(truth_path, fmt="mot15-2D")
hypotheses = mm.io.loadtxt(mot_path, fmt="mot15-2D")
accumulator = mm.utils.compare_to_groundtruth(truth, hypotheses, "iou", distth=0.5)
summary = mm.metrics.create().compute(accumulator, metrics=["idf1", "num_switches", "mota", "num_unique_objects"], name="filmroom")
row = summary.loc["filmroom"]
print(
    json.dumps(
        {
            "coco": {
                "images": len(coco.getImgIds()),
                "annotations": len(coco.getAnnIds()),
                "person_annotations": len(coco.getAnnIds(catIds=person)),
                "categories": sorted(c["name"] for c in coco.loadCats(coco.getCatIds())),
            },
            "mot": {
                "idf1": float(row["idf1"]),
                "id_switches": int(row["num_switches"]),
                "mota": float(row["mota"]),
                "objects": int(row["num_unique_objects"]),
                "hypothesis_tracks": int(hypotheses.index.get_level_values("Id").nunique()),
            },
        }
    )
)
