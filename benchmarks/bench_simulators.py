"""Throughput of the simulators against this machine's limits; thin wrapper of ``spectral-universality bench``."""

import argparse
import sys

from spectral_universality.numerics import bench

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    bench.configure(parser)
    sys.exit(bench.run(parser.parse_args()))
