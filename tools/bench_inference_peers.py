#!/usr/bin/env python3
"""Inference speed of the seed models in the peers, in keras_bench's line format:
    NAME_predict  N samples/s  threads T                          throughput at batch 256
    NAME_latency  N samples/s  threads T  p50_us A  p99_us B      one sample, 1,000 calls
(N = 1e6 / p50 for latency, so that higher is better everywhere and ratios read alike).

Peers (the first argument):
  keras       Keras 3 (KERAS_BACKEND, default jax): model.predict(x, batch_size=256) and
              predict_on_batch on one sample, after warm-up.
  keras_jit   Keras 3 on JAX: a jax.jit-compiled forward function (model.stateless_call).
  torch       PyTorch under torch.inference_mode (TORCH_COMPILE=1: the torch.compile'd model).
Weights are the models' initial ones: inference speed does not depend on training.
Each thread count in PEER_THREADS (default "1,<cores>") runs in a child process (XLA reads its
thread flags at start-up) and the best is printed.
Usage: venv/bin/python tools/bench_inference_peers.py PEER [names...]
"""
import os
import subprocess
import sys
import time

NAMES = ["mlp", "news_mimo", "shared_lstm", "posts_conv1d", "shared_vision"]
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "bench")

# Inputs per model: (shape without batch, dtype, high bound for integers); n rows for throughput.
INPUTS = {
    "mlp": ([((784,), "float32", None)], 60000 // 32 * 32),
    "news_mimo": ([((100,), "int32", 10000), ((5,), "float32", None)], 2048),
    "shared_lstm": ([((140, 256), "float32", None)] * 2, 512),
    "posts_conv1d": ([((500,), "int32", 50000)], 512),
    "shared_vision": ([((27, 27, 1), "float32", None)] * 2, 1024),
}


def arrays(name, n):
    import numpy as np
    rng = np.random.default_rng(0)
    out = []
    for shape, dtype, high in INPUTS[name][0]:
        if high is None:
            out.append(rng.random((n, *shape), dtype="float32"))
        else:
            out.append(rng.integers(1, high, (n, *shape)).astype(dtype))
    return out


def keras_model(name):
    import keras
    from keras import Input, Model, layers
    if name == "mlp":
        i = Input((784,))
        h = layers.Dense(64, activation="relu")(i)
        h = layers.Dense(64, activation="relu")(h)
        return Model(i, layers.Dense(10, activation="softmax")(h))
    if name == "news_mimo":
        m = Input((100,), dtype="int32")
        lstm_out = layers.LSTM(32)(layers.Embedding(10000, 512)(m))
        aux = layers.Dense(1, activation="sigmoid")(lstm_out)
        a = Input((5,))
        h = layers.concatenate([lstm_out, a])
        for _ in range(3):
            h = layers.Dense(64, activation="relu")(h)
        return Model([m, a], [layers.Dense(1, activation="sigmoid")(h), aux])
    if name == "shared_lstm":
        a, b = Input((140, 256)), Input((140, 256))
        lstm = layers.LSTM(64)
        return Model([a, b], layers.Dense(1, activation="sigmoid")(
            layers.concatenate([lstm(a), lstm(b)])))
    if name == "posts_conv1d":
        p = Input((None,), dtype="int32")
        h = layers.Embedding(50000, 256)(p)
        h = layers.Conv1D(128, 5, activation="relu")(h)
        h = layers.MaxPool1D(5)(h)
        h = layers.Conv1D(256, 5, activation="relu")(h)
        h = layers.Conv1D(256, 5, activation="relu")(h)
        h = layers.MaxPool1D(5)(h)
        h = layers.Conv1D(256, 5, activation="relu")(h)
        h = layers.Conv1D(256, 5, activation="relu")(h)
        h = layers.Dense(128, activation="relu")(layers.GlobalMaxPool1D()(h))
        return Model(p, [layers.Dense(1)(h), layers.Dense(10, activation="softmax")(h),
                         layers.Dense(1, activation="sigmoid")(h)])
    if name == "shared_vision":
        d = Input((27, 27, 1))
        h = layers.Conv2D(64, (3, 3))(d)
        h = layers.MaxPooling2D((2, 2))(layers.Conv2D(64, (3, 3))(h))
        vision = Model(d, layers.Flatten()(h))
        a, b = Input((27, 27, 1)), Input((27, 27, 1))
        return Model([a, b], layers.Dense(1, activation="sigmoid")(
            layers.concatenate([vision(a), vision(b)])))
    raise SystemExit(f"unknown model {name}")


def torch_model(name):
    sys.path.insert(0, SHARED)
    import torch_reference as ref
    cls = {"mlp": ref.MLP, "news_mimo": ref.NewsMIMO, "shared_lstm": ref.SharedLSTM,
           "posts_conv1d": ref.PostsConv1D, "shared_vision": ref.SharedVision}[name]
    return ref.glorot(cls()).eval()


def timed(fn, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return sorted(times)


def measure(predict_all, predict_one, n):
    predict_all()  # warm-up: compiles
    runs = timed(predict_all, 9)  # the median of 9, as keras_bench's
    for _ in range(50):
        predict_one()
    us = [1e6 * t for t in timed(predict_one, 1000)]
    return n / runs[4], us[500], us[990]


def child(peer, name, threads):
    n = INPUTS[name][1]
    if peer.startswith("keras"):
        os.environ.setdefault("KERAS_BACKEND", "jax")
        if threads == 1:
            os.environ["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=false "
                                       "intra_op_parallelism_threads=1")
            os.environ["TF_NUM_INTRAOP_THREADS"] = "1"
            os.environ["TF_NUM_INTEROP_THREADS"] = "1"
        import keras
        keras.utils.set_random_seed(0)
        model = keras_model(name)
        xs = arrays(name, n)
        one = [x[:1] for x in xs]
        if peer == "keras":
            predict_all = lambda: model.predict(xs, batch_size=256, verbose=0)
            predict_one = lambda: model.predict_on_batch(one)
        else:
            import jax
            tv = [v.value for v in model.trainable_variables]
            ntv = [v.value for v in model.non_trainable_variables]
            fwd = jax.jit(lambda tv, ntv, x: model.stateless_call(tv, ntv, x, training=False)[0])

            def predict_all():
                outs = [fwd(tv, ntv, [x[i:i + 256] for x in xs]) for i in range(0, n, 256)]
                jax.block_until_ready(outs)

            predict_one = lambda: jax.block_until_ready(fwd(tv, ntv, one))
    else:
        import torch
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        model = torch_model(name)
        if os.environ.get("TORCH_COMPILE") == "1":
            model = torch.compile(model)
        # PyTorch's layouts: channels first for images, int64 ids.
        xs = []
        for x, (shape, dtype, high) in zip(arrays(name, n), INPUTS[name][0]):
            t = torch.from_numpy(x)
            if len(shape) == 3:
                t = t.permute(0, 3, 1, 2).contiguous()
            xs.append(t.long() if high is not None else t)
        one = [x[:1] for x in xs]

        def predict_all():
            with torch.inference_mode():
                for i in range(0, n, 256):
                    model(*[x[i:i + 256] for x in xs])

        def predict_one():
            with torch.inference_mode():
                model(*one)

    rate, p50, p99 = measure(predict_all, predict_one, n)
    print(f"{rate:.0f} {p50:.1f} {p99:.1f}")


def main(peer, names):
    counts = [int(t) for t in os.environ.get("PEER_THREADS", f"1,{os.cpu_count()}").split(",")]
    for name in names:
        best_rate, best_lat = (0.0, 0), (float("inf"), 0.0, 0)
        for threads in counts:
            out = subprocess.run([sys.executable, __file__, "--child", peer, name, str(threads)],
                                 capture_output=True, text=True)
            try:
                rate, p50, p99 = (float(v) for v in out.stdout.split()[-3:])
            except ValueError:
                sys.stderr.write(out.stderr[-2000:])
                continue
            best_rate = max(best_rate, (rate, threads))
            best_lat = min(best_lat, (p50, p99, threads))
        if best_rate[1] == 0:
            continue  # the peer failed: its error is on stderr
        print(f"{name + '_predict':22s} {best_rate[0]:10.0f} samples/s  threads {best_rate[1]}",
              flush=True)
        p50, p99, threads = best_lat
        print(f"{name + '_latency':22s} {1e6 / p50:10.0f} samples/s  threads {threads}  "
              f"p50_us {p50:.1f}  p99_us {p99:.1f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] in ("keras", "keras_jit", "torch"):
        main(sys.argv[1], sys.argv[2:] or NAMES)
    else:
        raise SystemExit(__doc__)
