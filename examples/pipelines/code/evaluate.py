"""Evaluation step: the trained model's accuracy on the test split, as the model package's metrics.

Writes /opt/ml/processing/evaluation/evaluation.json in the model quality statistics shape
({"binary_classification_metrics": {"accuracy": {"value": ...}}}); the pipeline registers it as the
package's ModelMetrics.ModelQuality.Statistics. The condition step does not read it (README.md).
"""

import glob
import json
import os
import tarfile

import joblib
import pandas as pd

BASE = "/opt/ml/processing"


def main() -> None:
    with tarfile.open(f"{BASE}/model/model.tar.gz") as archive:
        archive.extract("model.joblib", f"{BASE}/model")
    model = joblib.load(f"{BASE}/model/model.joblib")
    frame = pd.concat(pd.read_csv(path, header=None) for path in sorted(glob.glob(f"{BASE}/test/*.csv")))
    accuracy = float(model.score(frame.iloc[:, 1:], frame.iloc[:, 0]))
    os.makedirs(f"{BASE}/evaluation", exist_ok=True)
    with open(f"{BASE}/evaluation/evaluation.json", "w") as report:
        json.dump(
            {"binary_classification_metrics": {"accuracy": {"value": accuracy, "standard_deviation": "NaN"}}}, report
        )
    print(f"test accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    main()
