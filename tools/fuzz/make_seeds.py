#!/usr/bin/env python3
"""Seed corpora for the fuzzers (tools/fuzz/README.md), from the repository's fixtures plus
hand-made deep-nesting and huge-size inputs. Python 3 standard library only.

    tools/fuzz/make_seeds.py build-fuzz/seeds [EXPORT_DIR]

writes build-fuzz/seeds/{load_model,model_from_json,load_weights,npy,idx}/, and numbers/ (a probe
to replay through keras_fuzz_model_from_json, not seeds). The seeds of
keras_fuzz_load_weights's own model come from the fuzzer itself (KERAS_FUZZ_WRITE_SEEDS).
EXPORT_DIR (optional) holds more .keras/.h5 files, with most layer classes: the unit test
SavingExport.WritesFilesForThePythonCheck writes them to $KERAS_SAVING_EXPORT_DIR.
"""
import copy
import glob
import gzip
import io
import json
import os
import shutil
import struct
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data")
DEEP = 10000  # enough to be refused; the unit tests use 100000


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def keras_with_config(src, config):
    """src (.keras) with config.json replaced, every entry stored."""
    out = io.BytesIO()
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as w:
        for name in z.namelist():
            w.writestr(name, config if name == "config.json" else z.read(name))
    return out.getvalue()


def npy(header, data=b"", major=1):
    header = header.encode() if isinstance(header, str) else header
    fixed = 10 if major == 1 else 12
    length = (len(header) + 1 + fixed + 63) // 64 * 64 - fixed
    header = header + b" " * (length - len(header) - 1) + b"\n"
    size = struct.pack("<H" if major == 1 else "<I", len(header))
    return b"\x93NUMPY" + bytes([major, 0]) + size + header + data


def idx(code, dims, data):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data


def main(out, export=None):
    dirs = {d: os.path.join(out, d) for d in
            ("load_model", "model_from_json", "load_weights", "npy", "idx")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    saving = os.path.join(DATA, "saving")
    models = sorted(glob.glob(os.path.join(saving, "*.keras")))
    legacy = sorted(glob.glob(os.path.join(saving, "*.h5")))
    if export:
        models += sorted(glob.glob(os.path.join(export, "*.keras")))
        legacy += sorted(glob.glob(os.path.join(export, "*.h5")))
    for f in models + legacy + sorted(glob.glob(os.path.join(saving, "corpus", "*"))) + \
            sorted(glob.glob(os.path.join(saving, "hdf5_crashers", "*.h5"))):
        shutil.copy(f, dirs["load_model"])
    for f in models + legacy:
        shutil.copy(f, dirs["load_weights"])

    deep_units = None
    for f in models:
        with zipfile.ZipFile(f) as z:
            config = z.read("config.json")
        base = os.path.basename(os.path.dirname(f)) + "_" + os.path.basename(f)[:-len(".keras")]
        write(os.path.join(dirs["model_from_json"], base + ".json"), config)
        if deep_units is None:
            deep_units = (f, config)
    for f in sorted(glob.glob(os.path.join(saving, "json_corpus", "*"))):
        shutil.copy(f, dirs["model_from_json"])
    for f in sorted(glob.glob(os.path.join(saving, "weights_corpus", "*"))):
        shutil.copy(f, dirs["load_weights"])

    # Not seeds but a probe to replay (README): every number of every config replaced, one at a
    # time, by values that overflow sizes or C++ integer types.
    numbers = os.path.join(out, "numbers")
    os.makedirs(numbers, exist_ok=True)
    count = 0
    for f in models:
        with zipfile.ZipFile(f) as z:
            config = json.loads(z.read("config.json"))
        paths = []

        def walk(x, path):
            if isinstance(x, bool):
                return
            if isinstance(x, (int, float)):
                paths.append(path)
            elif isinstance(x, dict):
                for k, v in x.items():
                    walk(v, path + [k])
            elif isinstance(x, list):
                for i, v in enumerate(x):
                    walk(v, path + [i])

        walk(config, [])
        for path in paths:
            for value in (2**62, -2**62, 0, -1, 1e300, 2**31, 2**32 + 1, 2**63 + 5, 0.5):
                c = copy.deepcopy(config)
                target = c
                for k in path[:-1]:
                    target = target[k]
                target[path[-1]] = value
                write(os.path.join(numbers, "%06d.json" % count), json.dumps(c).encode())
                count += 1

    # Deep nesting: alone, and as a value inside a real config.
    src, config = deep_units
    nested = b"[" * DEEP + b"]" * DEEP
    deep_value = config.replace(b'"units": ', b'"units": ' + nested + b", \"x\": ", 1)
    write(os.path.join(dirs["model_from_json"], "deep_array.json"), nested)
    write(os.path.join(dirs["model_from_json"], "deep_object.json"), b"{\"a\":" * DEEP)
    write(os.path.join(dirs["model_from_json"], "deep_value.json"), deep_value)
    write(os.path.join(dirs["model_from_json"], "nest_500.json"),
          config.replace(b'"units": ', b'"units": ' + b"[" * 500 + b"]" * 500 + b", \"x\": ", 1))
    write(os.path.join(dirs["model_from_json"], "long_string.json"),
          config.replace(b'"Dense"', b'"' + b"D" * 100000 + b'"', 1))
    write(os.path.join(dirs["load_model"], "deep_config.keras"), keras_with_config(src, deep_value))
    write(os.path.join(dirs["load_model"], "deep_bare.keras"), keras_with_config(src, nested))

    # .npy / .npz: NumPy's files, ours, and hand-made headers.
    for f in sorted(glob.glob(os.path.join(DATA, "*.np[yz]"))) + \
            sorted(glob.glob(os.path.join(saving, "*.npy"))) + \
            sorted(glob.glob(os.path.join(DATA, "io", "corpus", "*"))):
        if not f.endswith(".idx"):
            shutil.copy(f, dirs["npy"])
    hand = {
        "v2.npy": npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
                      struct.pack("<qq", 1, 2), 2),
        "v3.npy": npy("{'descr': '>f4', 'fortran_order': True, 'shape': (2, 1), }",
                      struct.pack(">ff", 1, 2), 3),
        "deep_header.npy": npy("{'descr': " + "(" * DEEP + "}", b"", 2),
        "huge_shape.npy": npy("{'descr': '<f8', 'fortran_order': False, "
                              "'shape': (1000000000000, 1000000000000), }", b"1234"),
        "huge_descr.npy": npy("{'descr': '" + "x" * 50000 + "', 'fortran_order': False, "
                              "'shape': (1,), }", b"abcd", 2),
        "scalar_bool.npy": npy("{'descr': '|b1', 'fortran_order': False, 'shape': (), }", b"\x02"),
    }
    for name, data in hand.items():
        write(os.path.join(dirs["npy"], name), data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.npy", hand["v2.npy"])
        z.writestr("dir/b.npy", hand["v3.npy"])
    write(os.path.join(dirs["npy"], "two.npz"), buf.getvalue())

    # IDX: every type code, raw and gzipped, and sizes that lie.
    samples = {
        "u8.idx": idx(0x08, [2, 3], bytes(range(6))),
        "i8.idx": idx(0x09, [4], b"\x80\x7f\x00\xff"),
        "i16.idx": idx(0x0B, [2], struct.pack(">hh", -2, 300)),
        "i32.idx": idx(0x0C, [1, 2], struct.pack(">ii", -5, 7)),
        "f32.idx": idx(0x0D, [2], struct.pack(">ff", 1.5, -2)),
        "f64.idx": idx(0x0E, [1], struct.pack(">d", 3.25)),
        "scalar.idx": idx(0x08, [], b"\x07"),
        "huge_dims.idx": idx(0x0E, [0xFFFFFFFF] * 4, b""),
    }
    for name, data in samples.items():
        write(os.path.join(dirs["idx"], name), data)
        write(os.path.join(dirs["idx"], name + ".gz.idx"), gzip.compress(data, mtime=0))
    write(os.path.join(dirs["idx"], "bomb.gz.idx"),
          gzip.compress(idx(0x08, [1 << 24], bytes(1 << 24)), mtime=0))
    for f in sorted(glob.glob(os.path.join(DATA, "io", "corpus", "*.idx"))):
        shutil.copy(f, dirs["idx"])


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])
