"""Processing step: split the input CSV files (label in the first column, no header) into train,
validation and test (60/20/20). Runs in the region's AWS-owned sagemaker-scikit-learn image."""

import glob
import os

import pandas as pd
from sklearn.model_selection import train_test_split

BASE = "/opt/ml/processing"


def main() -> None:
    files = sorted(glob.glob(f"{BASE}/input/data/**/*.csv", recursive=True))
    if not files:
        raise SystemExit(f"no CSV files under {BASE}/input/data")
    frame = pd.concat(pd.read_csv(path, header=None) for path in files)
    train, rest = train_test_split(frame, test_size=0.4, random_state=42)
    validation, test = train_test_split(rest, test_size=0.5, random_state=42)
    for name, part in (("train", train), ("validation", validation), ("test", test)):
        os.makedirs(f"{BASE}/{name}", exist_ok=True)
        part.to_csv(f"{BASE}/{name}/{name}.csv", header=False, index=False)
    print(f"train: {len(train)} rows, validation: {len(validation)} rows, test: {len(test)} rows")


if __name__ == "__main__":
    main()
