"""Training step (sagemaker-scikit-learn script mode): a logistic regression on the train channel.

Prints `validation:accuracy=<value>` on the validation channel: the training job's MetricDefinitions
scrape it into FinalMetricDataList, which the pipeline's condition step compares with its threshold.
The same file serves the registered model (the scikit-learn serving container calls model_fn).
"""

import argparse
import glob
import os

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression


def model_fn(model_dir: str):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def read(channel: str) -> pd.DataFrame:
    folder = os.environ.get(f"SM_CHANNEL_{channel.upper()}", f"/opt/ml/input/data/{channel}")
    return pd.concat(pd.read_csv(path, header=None) for path in sorted(glob.glob(f"{folder}/*.csv")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float, default=1.0)
    args, _ = parser.parse_known_args()
    train, validation = read("train"), read("validation")
    model = LogisticRegression(C=args.C, max_iter=1000).fit(train.iloc[:, 1:], train.iloc[:, 0])
    accuracy = model.score(validation.iloc[:, 1:], validation.iloc[:, 0])
    print(f"validation:accuracy={accuracy:.6f}")
    joblib.dump(model, os.path.join(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"), "model.joblib"))


if __name__ == "__main__":
    main()
