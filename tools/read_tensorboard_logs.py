#!/usr/bin/env python3
"""Reads keras.cpp's TensorBoard event files with TensorBoard's own readers.

A one-off check that the files the TensorBoard callback writes are what TensorBoard reads (the
C++ tests check the framing and protobufs without Python). Needs `pip install tensorboard`:

    python3 -m venv /tmp/venv-tb && /tmp/venv-tb/bin/pip install tensorboard
    ./build/examples/callbacks /tmp/tb-logs 10
    /tmp/venv-tb/bin/python tools/read_tensorboard_logs.py /tmp/tb-logs

For each run (train, validation) it prints every scalar tag with its steps and values, as read by
EventAccumulator (tensor summaries) and by the scalars plugin's data path
(plugin_event_accumulator, which TensorBoard's UI uses). Exits 1 if a run has no scalars.
"""
import sys

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.backend.event_processing import plugin_event_accumulator
from tensorboard.util import tensor_util


def main(log_dir):
    ok = True
    for run in ("train", "validation"):
        path = f"{log_dir}/{run}"
        legacy = event_accumulator.EventAccumulator(path, size_guidance={"tensors": 0})
        legacy.Reload()
        plugin = plugin_event_accumulator.EventAccumulator(path, size_guidance={"tensors": 0})
        plugin.Reload()
        scalar_tags = [
            tag for tag, meta in plugin.summary_metadata.items()
            if meta.plugin_data.plugin_name == "scalars"
        ]
        print(f"== {run}: file_version {legacy.file_version!r}, scalar tags {sorted(scalar_tags)}")
        for tag, meta in sorted(plugin.summary_metadata.items()):
            if meta.plugin_data.plugin_name == "histograms":
                events = plugin.Tensors(tag)
                buckets = tensor_util.make_ndarray(events[0].tensor_proto)
                print(f"  {tag} (histogram): steps {[e.step for e in events]}, "
                      f"{buckets.shape[0]} buckets, {int(buckets[:, 2].sum())} values")
        if not scalar_tags:
            ok = False
        for tag in sorted(scalar_tags):
            events = plugin.Tensors(tag)
            assert [e.step for e in events] == [e.step for e in legacy.Tensors(tag)]
            values = [(e.step, round(float(tensor_util.make_ndarray(e.tensor_proto)), 6))
                      for e in events]
            print(f"  {tag}: {values[:6]}{' ...' if len(values) > 6 else ''}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "logs"))
