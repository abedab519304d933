#!/usr/bin/python3
"""Writes Rampart's real-library scanner corpus into a directory.

Unlike make_corpus.py (standard library only, layouts written by hand), every
file here is written by the library users write it with: torch.save (state
dicts, whole modules, optimizer checkpoints, legacy format), torch.jit.save,
joblib.dump (plain and compressed), numpy.save/savez, DataFrame.to_pickle
(plain and compressed), onnx.save with external data, h5py. Each benign file
has malicious twins: a __reduce__ payload inside the same container kind.

Run with Debian's interpreter, /usr/bin/python3 (python3-torch, -joblib,
-numpy, -pandas, -onnx, -h5py). Nothing is downloaded and no payload is ever
unpickled. Next to the files, expect.json says what the scanner must report:

  {"ok/x.pt": {"max": "info"}}            no finding above this severity
  {"ok/y.pt": {"max": "medium", "policy": "user_policy.yaml",
               "default": {"rule": ..., "symbol": ..., "severity": "high"}}}
                                           clean only under the user's policy
  {"mal/z.pt": {"rule": "pickle.import", "symbol": "posix.system",
                "severity": "critical", "inner": "z/data.pkl"}}

Usage: make_real_corpus.py OUT_DIR
"""
import bz2
import gzip
import io
import json
import lzma
import os
import pickle
import sys
import tarfile
import warnings
import zipfile

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
warnings.simplefilter("ignore")

# A user's own code: the classes a whole-model pickle refers to. It lives in
# an importable module (not __main__) the way training code does.
PKG = os.path.join(OUT, "_user_code")
os.makedirs(PKG, exist_ok=True)
with open(os.path.join(PKG, "corpus_models.py"), "w") as f:
    f.write('''
import numpy as np
import torch


class TinyRidge:
    """An estimator-like object: fit/predict over numpy arrays."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, x, y):
        a = x.T @ x + self.alpha * np.eye(x.shape[1])
        self.coef_ = np.linalg.solve(a, x.T @ y)
        self.n_features_in_ = x.shape[1]
        return self

    def predict(self, x):
        return x @ self.coef_


class TinyNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x):
        return torch.relu(self.fc(x))
''')
sys.path.insert(0, PKG)

import h5py  # noqa: E402
import joblib  # noqa: E402
import numpy as np  # noqa: E402
import onnx  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import corpus_models  # noqa: E402

torch.manual_seed(0)
rng = np.random.default_rng(0)
EXPECT = {}


def path(name):
    p = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def benign(name, max="info", **extra):
    EXPECT[name] = {"max": max, **extra}


def malicious(name, rule="pickle.import", symbol="posix.system", severity="critical", inner=None,
              **extra):
    e = {"rule": rule, "severity": severity, **extra}
    if symbol:
        e["symbol"] = symbol
    if inner is not None:
        e["inner"] = inner
    EXPECT[name] = e


def torch_pickle_member(name):
    """The data.pkl member of a torch.save zip (its prefix is the file's stem)."""
    with zipfile.ZipFile(path(name)) as z:
        return next(n for n in z.namelist() if n.endswith("/data.pkl"))


class Payload:
    """What a malicious checkpoint carries: code run by pickle.load."""

    def __reduce__(self):
        return (os.system, ("echo rampart-corpus-payload",))


PAYLOAD = dict(symbol="posix.system", severity="critical")

# ---- PyTorch --------------------------------------------------------------------

mlp = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Dropout(0.1),
                          torch.nn.Linear(16, 4))
cnn = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                          torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 2))
opt = torch.optim.AdamW(mlp.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10)
mlp(torch.randn(2, 8)).sum().backward()
opt.step()
sched.step()
cnn.train()
cnn(torch.randn(2, 3, 8, 8))  # BatchNorm running stats and its int64 counter

torch.save(mlp.state_dict(), path("ok/torch/state_dict.pt"))
benign("ok/torch/state_dict.pt")
torch.save(cnn.state_dict(), path("ok/torch/cnn_state_dict.pth"))
benign("ok/torch/cnn_state_dict.pth")
torch.save({k: v.to(torch.float16) for k, v in mlp.state_dict().items()},
           path("ok/torch/half.pt"))
benign("ok/torch/half.pt")
torch.save({k: v.to(torch.bfloat16) for k, v in cnn.state_dict().items() if v.is_floating_point()},
           path("ok/torch/bf16.pt"))
benign("ok/torch/bf16.pt")
torch.save({"model": mlp.state_dict(), "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(), "epoch": 3, "step": 1200, "loss": 0.25,
            "rng_state": torch.get_rng_state(), "args": {"lr": 1e-3, "layers": [8, 16, 4]}},
           path("ok/torch/checkpoint.pt"))
benign("ok/torch/checkpoint.pt")
torch.save({"embeddings": torch.randn(10, 4), "ids": torch.arange(10),
            "mask": torch.ones(10, dtype=torch.bool),
            "sparse": torch.eye(4).to_sparse(),
            "size": torch.Size([10, 4]), "param": torch.nn.Parameter(torch.zeros(3))},
           path("ok/torch/tensors.pt"))
benign("ok/torch/tensors.pt")
torch.save(mlp.state_dict(), path("ok/torch/legacy_state_dict.pt"),
           _use_new_zipfile_serialization=False)
benign("ok/torch/legacy_state_dict.pt")
# Whole modules: PyTorch's own classes are a medium finding (not weights-only).
torch.save(mlp, path("ok/torch/whole_module.pt"))
benign("ok/torch/whole_module.pt", max="medium")
torch.save(cnn, path("ok/torch/whole_cnn.pt"))
benign("ok/torch/whole_cnn.pt", max="medium")
torch.save({"model": mlp, "optimizer": opt, "epoch": 3}, path("ok/torch/whole_checkpoint.pt"))
benign("ok/torch/whole_checkpoint.pt", max="medium")
# TorchScript: scripted and traced.
torch.jit.save(torch.jit.script(mlp), path("ok/torch/scripted.pt"))
benign("ok/torch/scripted.pt", max="medium")
torch.jit.save(torch.jit.trace(cnn.eval(), torch.randn(1, 3, 8, 8)), path("ok/torch/traced.pt"),
               _extra_files={"config.json": json.dumps({"input": [1, 3, 8, 8]})})
benign("ok/torch/traced.pt", max="medium")
# A user's own module class: its import is the user's code.
torch.save(corpus_models.TinyNet(), path("ok/torch/user_module.pt"))
benign("ok/torch/user_module.pt", max="medium", policy="user_policy.yaml",
       default={"rule": "pickle.import", "symbol": "corpus_models.TinyNet", "severity": "high"})

# Malicious twins.
torch.save({"model": mlp.state_dict(), "hook": Payload()}, path("mal/torch/state_dict.pt"))
malicious("mal/torch/state_dict.pt", inner=torch_pickle_member("mal/torch/state_dict.pt"))
torch.save({"model": mlp.state_dict(), "optimizer": opt.state_dict(), "epoch": 3,
            "callback": Payload()}, path("mal/torch/checkpoint.pth"))
malicious("mal/torch/checkpoint.pth", inner=torch_pickle_member("mal/torch/checkpoint.pth"))
evil = torch.nn.Sequential(torch.nn.Linear(2, 2))
evil.__dict__["payload"] = Payload()
torch.save(evil, path("mal/torch/whole_module.pt"))
malicious("mal/torch/whole_module.pt", inner=torch_pickle_member("mal/torch/whole_module.pt"))
torch.save({"model": mlp.state_dict(), "hook": Payload()}, path("mal/torch/legacy.pt"),
           _use_new_zipfile_serialization=False)
malicious("mal/torch/legacy.pt")
torch.jit.save(torch.jit.script(mlp), path("mal/torch/scripted_extra.pt"),
               _extra_files={"meta.pkl": pickle.dumps(Payload())})
with zipfile.ZipFile(path("mal/torch/scripted_extra.pt")) as z:
    extra = next(n for n in z.namelist() if n.endswith("/extra/meta.pkl"))
malicious("mal/torch/scripted_extra.pt", inner=extra)

# ---- joblib ---------------------------------------------------------------------

x = rng.normal(size=(50, 4))
y = x @ np.array([1.0, -2.0, 0.5, 3.0]) + rng.normal(scale=0.1, size=50)
arrays = {"coef": rng.normal(size=(10, 3)), "intercept": np.zeros(3, dtype=np.float32),
          "classes": np.array(["cat", "dog", "eel"]), "n_iter": np.int64(12),
          "vocab": np.array(["a", {"b": 1}, None], dtype=object),
          "counts": np.arange(6, dtype=np.int32).reshape(2, 3, order="F")}
frame = pd.DataFrame({"id": np.arange(5), "score": np.linspace(0, 1, 5),
                      "label": list("abcab"),
                      "when": pd.date_range("2024-01-01", periods=5, freq="D"),
                      "kind": pd.Categorical(list("xyxyx")),
                      "flag": [True, False, True, True, False]})
joblib.dump(arrays, path("ok/joblib/arrays.joblib"))
benign("ok/joblib/arrays.joblib")
joblib.dump(arrays, path("ok/joblib/arrays_zlib.joblib"), compress=3)
benign("ok/joblib/arrays_zlib.joblib")
for method, ext in [("gzip", "gz"), ("bz2", "bz2"), ("xz", "xz"), ("lzma", "lzma")]:
    joblib.dump(arrays, path(f"ok/joblib/arrays.joblib.{ext}"), compress=(method, 3))
    benign(f"ok/joblib/arrays.joblib.{ext}")
joblib.dump({"frame": frame, "columns": list(frame.columns)}, path("ok/joblib/frame.joblib"))
benign("ok/joblib/frame.joblib")
joblib.dump([np.ones((3, 3)), np.arange(5), np.float32(2.5), np.random.default_rng(1),
             np.random.RandomState(1)], path("ok/joblib/list.joblib"))
benign("ok/joblib/list.joblib")
joblib.dump(corpus_models.TinyRidge(alpha=0.1).fit(x, y), path("ok/joblib/estimator.joblib"))
benign("ok/joblib/estimator.joblib", policy="user_policy.yaml",
       default={"rule": "pickle.import", "symbol": "corpus_models.TinyRidge",
                "severity": "high"})

joblib.dump({"coef": np.ones(4), "hook": Payload()}, path("mal/joblib/model.joblib"))
malicious("mal/joblib/model.joblib")
joblib.dump({"coef": np.ones(4), "hook": Payload()}, path("mal/joblib/model_zlib.joblib"),
            compress=3)
malicious("mal/joblib/model_zlib.joblib", inner="<zlib>")
joblib.dump({"coef": np.ones(4), "hook": Payload()}, path("mal/joblib/model.joblib.gz"),
            compress=("gzip", 3))
malicious("mal/joblib/model.joblib.gz", inner="<decompressed>")
# The payload inside an object array, which joblib pickles after its wrapper.
joblib.dump({"objs": np.array([1, Payload()], dtype=object)},
            path("mal/joblib/object_array.joblib"))
malicious("mal/joblib/object_array.joblib")

# ---- numpy ------------------------------------------------------------------------

np.save(path("ok/numpy/float32.npy"), rng.normal(size=(4, 5)).astype(np.float32))
benign("ok/numpy/float32.npy")
np.save(path("ok/numpy/fortran.npy"), np.asfortranarray(np.arange(12, dtype=np.int64).reshape(3, 4)))
benign("ok/numpy/fortran.npy")
np.save(path("ok/numpy/strings.npy"), np.array(["alpha", "beta"]))
benign("ok/numpy/strings.npy")
np.save(path("ok/numpy/structured.npy"),
        np.zeros(3, dtype=[("x", "<f4"), ("y", "<i8"), ("name", "U8")]))
benign("ok/numpy/structured.npy")
np.save(path("ok/numpy/datetimes.npy"), np.arange("2024-01", "2024-06", dtype="datetime64[M]"))
benign("ok/numpy/datetimes.npy")
np.savez(path("ok/numpy/arrays.npz"), w=rng.normal(size=(3, 3)), b=np.zeros(3))
benign("ok/numpy/arrays.npz")
np.savez_compressed(path("ok/numpy/compressed.npz"), w=rng.normal(size=(30, 30)),
                    ids=np.arange(100))
benign("ok/numpy/compressed.npz")
# Object arrays are pickles (np.load(allow_pickle=True)): a medium finding.
np.save(path("ok/numpy/objects.npy"), np.array([{"a": 1}, "text", None], dtype=object),
        allow_pickle=True)
benign("ok/numpy/objects.npy", max="medium")
with open(path("ok/numpy/pickle_extras.pkl"), "wb") as f:
    pickle.dump({"masked": np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0]),
                 "matrix": np.matrix([[1, 2], [3, 4]]), "rng": np.random.default_rng(3),
                 "legacy_rng": np.random.RandomState(3), "when": np.datetime64("2024-01-01"),
                 "c": np.complex64(1j), "half": np.float16(0.5)}, f, protocol=4)
benign("ok/numpy/pickle_extras.pkl")
for proto in range(6):
    with open(path(f"ok/numpy/pickle_p{proto}.pkl"), "wb") as f:
        pickle.dump({"w": np.arange(4.0), "scale": np.float32(0.5), "n": 3}, f, protocol=proto)
    benign(f"ok/numpy/pickle_p{proto}.pkl")

np.save(path("mal/numpy/object.npy"), np.array([1, Payload()], dtype=object), allow_pickle=True)
malicious("mal/numpy/object.npy")
np.savez(path("mal/numpy/arrays.npz"), w=np.ones(3), meta=np.array([Payload()], dtype=object))
malicious("mal/numpy/arrays.npz", inner="meta.npy")
np.savez_compressed(path("mal/numpy/compressed.npz"), meta=np.array([Payload()], dtype=object))
malicious("mal/numpy/compressed.npz", inner="meta.npy")
for proto in (0, 1, 2, 5):
    with open(path(f"mal/numpy/pickle_p{proto}.pkl"), "wb") as f:
        pickle.dump({"w": np.arange(4.0), "hook": Payload()}, f, protocol=proto)
    malicious(f"mal/numpy/pickle_p{proto}.pkl")

# ---- pandas --------------------------------------------------------------------------

frame.to_pickle(path("ok/pandas/frame.pkl"))
benign("ok/pandas/frame.pkl")
for ext in ["gz", "bz2", "xz", "zip", "tar"]:
    frame.to_pickle(path(f"ok/pandas/frame.pkl.{ext}"))
    benign(f"ok/pandas/frame.pkl.{ext}")
frame.to_pickle(path("ok/pandas/frame_p2.pkl"), protocol=2)
benign("ok/pandas/frame_p2.pkl")
pd.Series([1.5, 2.5, None], index=pd.Index(["x", "y", "z"], name="key"),
          name="value").to_pickle(path("ok/pandas/series.pkl"))
benign("ok/pandas/series.pkl")
pd.DataFrame({"v": [1, 2, 3]},
             index=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)],
                                             names=["g", "n"])).to_pickle(
    path("ok/pandas/multiindex.pkl"))
benign("ok/pandas/multiindex.pkl")
pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"),
              "s": pd.array(["a", None, "c"], dtype="string"),
              "b": pd.array([True, None, False], dtype="boolean"),
              "f": pd.array([0.5, None, 1.5], dtype="Float64"),
              "utc": pd.date_range("2024-01-01", periods=3, tz="UTC"),
              "dt": pd.to_timedelta([1, 2, 3], unit="s"),
              "p": pd.period_range("2024-01", periods=3, freq="M"),
              "i": pd.interval_range(0, 3)}).to_pickle(path("ok/pandas/extension_dtypes.pkl"))
benign("ok/pandas/extension_dtypes.pkl")
pd.DataFrame({"load": rng.normal(size=4)},
             index=pd.date_range("2024-03-01", periods=4, freq="H", name="t")).to_pickle(
    path("ok/pandas/timeseries.pkl"))
benign("ok/pandas/timeseries.pkl")
with open(path("ok/pandas/scalars.pkl"), "wb") as f:
    pickle.dump({"ts": pd.Timestamp("2024-01-01 12:00"), "td": pd.Timedelta("2h"),
                 "nat": pd.NaT, "na": pd.NA, "period": pd.Period("2024-01", freq="M"),
                 "interval": pd.Interval(0, 1)}, f, protocol=4)
benign("ok/pandas/scalars.pkl")

bad = pd.DataFrame({"id": [1, 2], "obj": [Payload(), None]})
bad.to_pickle(path("mal/pandas/frame.pkl"))
malicious("mal/pandas/frame.pkl")
bad.to_pickle(path("mal/pandas/frame.pkl.gz"))
malicious("mal/pandas/frame.pkl.gz", inner="<decompressed>")
bad.to_pickle(path("mal/pandas/frame.pkl.zip"))
malicious("mal/pandas/frame.pkl.zip", inner="frame.pkl")
bad.to_pickle(path("mal/pandas/frame.pkl.bz2"))
malicious("mal/pandas/frame.pkl.bz2", inner="<decompressed>")

# ---- ONNX ------------------------------------------------------------------------------


def onnx_mlp():
    w1 = numpy_helper.from_array(rng.normal(size=(8, 16)).astype(np.float32), "w1")
    b1 = numpy_helper.from_array(np.zeros(16, dtype=np.float32), "b1")
    w2 = numpy_helper.from_array(rng.normal(size=(16, 4)).astype(np.float32), "w2")
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h0"]),
             helper.make_node("Add", ["h0", "b1"], ["h1"]),
             helper.make_node("Relu", ["h1"], ["h2"]),
             helper.make_node("MatMul", ["h2", "w2"], ["y"])]
    graph = helper.make_graph(nodes, "mlp",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
                              [w1, b1, w2])
    model = helper.make_model(graph, producer_name="rampart-corpus",
                              opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


onnx.save_model(onnx_mlp(), path("ok/onnx/model.onnx"))
benign("ok/onnx/model.onnx")
onnx.save_model(onnx_mlp(), path("ok/onnx_external/model.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location="model.onnx.data", size_threshold=0)
benign("ok/onnx_external/model.onnx")
benign("ok/onnx_external/model.onnx.data", dir_only=True)

m = onnx_mlp()
onnx.external_data_helper.convert_model_to_external_data(m, all_tensors_to_one_file=True,
                                                         location="x.data", size_threshold=0)
for t in m.graph.initializer:
    for kv in t.external_data:
        if kv.key == "location":
            kv.value = "../../../../etc/passwd"
with open(path("mal/onnx/escape.onnx"), "wb") as f:
    f.write(m.SerializeToString())
malicious("mal/onnx/escape.onnx", rule="onnx.external-data-escape", symbol="", severity="high")

# ---- HDF5 / Keras-style ------------------------------------------------------------------


def keras_h5(name, layers):
    config = {"class_name": "Sequential",
              "config": {"name": "sequential", "layers": layers}}
    with h5py.File(path(name), "w") as f:
        f.attrs["keras_version"] = "2.11.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["training_config"] = json.dumps({"loss": "mse", "optimizer_config": {
            "class_name": "Adam", "config": {"learning_rate": 0.001}}})
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([b"dense", b"dense_1"])
        for layer, shape in [("dense", (8, 16)), ("dense_1", (16, 4))]:
            lg = g.create_group(layer).create_group(layer)
            lg.create_dataset("kernel:0", data=rng.normal(size=shape).astype(np.float32))
            lg.create_dataset("bias:0", data=np.zeros(shape[1], dtype=np.float32))


dense = [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, 8], "name": "in"}},
         {"class_name": "Dense", "config": {"name": "dense", "units": 16, "activation": "relu"}},
         {"class_name": "Dense", "config": {"name": "dense_1", "units": 4}}]
keras_h5("ok/hdf5/keras_model.h5", dense)
benign("ok/hdf5/keras_model.h5")
with h5py.File(path("ok/hdf5/dataset.h5"), "w") as f:
    f.create_dataset("images", data=rng.integers(0, 255, size=(16, 8, 8), dtype=np.uint8),
                     compression="gzip")
    f.create_dataset("labels", data=np.arange(16))
    f["labels"].attrs["names"] = json.dumps(["cat", "dog"])
benign("ok/hdf5/dataset.h5")
keras_h5("mal/hdf5/lambda.h5", dense[:2] + [{"class_name": "Lambda", "config": {
    "name": "lambda", "function": ["4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkA",
                                   None, None], "function_type": "lambda"}}])
malicious("mal/hdf5/lambda.h5", rule="keras.lambda", symbol="", severity="critical")

# ---- containers of containers ------------------------------------------------------------

with zipfile.ZipFile(path("mal/nested/models.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.write(path("mal/torch/state_dict.pt"), "models/state_dict.pt")
    z.writestr("README.md", "# models\n")
malicious("mal/nested/models.zip",
          inner="models/state_dict.pt!" + torch_pickle_member("mal/torch/state_dict.pt"))
with tarfile.open(path("mal/nested/release.tar.gz"), "w:gz") as t:
    t.add(path("mal/joblib/model.joblib"), "release/model.joblib")
    t.add(path("ok/numpy/arrays.npz"), "release/arrays.npz")
malicious("mal/nested/release.tar.gz", inner="release/model.joblib")
with zipfile.ZipFile(path("ok/nested/release.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for n in ["ok/torch/state_dict.pt", "ok/joblib/arrays.joblib", "ok/numpy/arrays.npz",
              "ok/pandas/frame.pkl", "ok/onnx/model.onnx", "ok/hdf5/keras_model.h5"]:
        z.write(path(n), n[3:])
    z.writestr("README.md", "# release\n")
benign("ok/nested/release.zip")
with tarfile.open(path("ok/nested/onnx_external.tar.xz"), "w:xz") as t:
    t.add(path("ok/onnx_external/model.onnx"), "model/model.onnx")
    t.add(path("ok/onnx_external/model.onnx.data"), "model/model.onnx.data")
benign("ok/nested/onnx_external.tar.xz")

with open(path("user_policy.yaml"), "w") as f:
    f.write("# The user's own reviewed classes (tests/artifacts/make_real_corpus.py).\n"
            "allow:\n  corpus_models: [TinyRidge, TinyNet]\n")
with open(path("expect.json"), "w") as f:
    json.dump(EXPECT, f, indent=1, sort_keys=True)
