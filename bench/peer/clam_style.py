#!/usr/bin/python3
"""A CLAM-style peer of NIC's encoder stage, for benchmarks only (docs/benchmarks.md#int8).

openslide-python reads each tissue cell's square in DataLoader workers, and PyTorch (fp32, CPU) encodes
batches of them with a network of NIC's encoder architecture. It reads the same cells that NIC planned
(bench/int8.sh writes them next to the bench slide). The weights are random, which does not change the
speed. It prints patches/s over the whole slide.

    /usr/bin/python3 bench/peer/clam_style.py SLIDE CELLS.csv [workers] [batch]

It needs Debian's python3-torch and python3-openslide.
"""
import os
import sys
import time

import numpy as np
import openslide
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class Cells(Dataset):
    def __init__(self, slide_path, cells_csv):
        self.slide_path = slide_path
        self.cells = np.loadtxt(cells_csv, delimiter=",", dtype=np.int64, ndmin=2)
        self.slide = None

    def __len__(self):
        return len(self.cells)

    def __getitem__(self, i):
        if self.slide is None:  # one handle per worker process
            self.slide = openslide.OpenSlide(self.slide_path)
        x, y, level, size = (int(v) for v in self.cells[i])
        region = self.slide.read_region((x, y), level, (size, size)).convert("RGB")
        if size != 128:
            region = region.resize((128, 128))
        a = np.asarray(region, dtype=np.float32).transpose(2, 0, 1)
        return torch.from_numpy(a / 127.5 - 1)


def encoder():
    layers = [nn.AvgPool2d(2)]
    channels = 3
    for _ in range(4):
        layers += [nn.Conv2d(channels, 128, 3, stride=2), nn.LeakyReLU(0.2), nn.BatchNorm2d(128, eps=1e-3)]
        channels = 128
    layers += [nn.Flatten(), nn.Linear(1152, 128)]
    return nn.Sequential(*layers).eval()


def main():
    slide, cells = sys.argv[1], sys.argv[2]
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    torch.manual_seed(17)
    # Debian's build starts with one intra-op thread here; a fair peer encodes on every core, as NIC does.
    torch.set_num_threads(os.cpu_count())
    model = encoder()
    data = Cells(slide, cells)
    loader = DataLoader(data, batch_size=batch, num_workers=workers)
    n = 0
    start = time.perf_counter()
    with torch.inference_mode():
        for patches in loader:
            codes = model(patches)
            n += codes.shape[0]
    wall = time.perf_counter() - start
    print(f"peer (openslide-python + PyTorch {torch.__version__} fp32, {workers} workers, batch {batch}, "
          f"{torch.get_num_threads()} threads): {n} patches in {wall:.1f} s, {n / wall:.0f} patches/s")


if __name__ == "__main__":
    main()
