#!/usr/bin/env python3
"""Fails when the WASM splitter kept every lazy page's constant data in the main module.

wasm-split moves each page's data into its chunk unless the moved data no longer fits the
original segment; then it keeps all of it in the main module without failing the build (the
slack in frontend/src/lib.rs is there to prevent that). Moved, the chunks hold 40 to 60% of the
data; kept, under 5% (only the small writable segments move).
"""
import pathlib
import sys


def data_size(module: bytes) -> int:
    at = 8  # magic and version
    while at < len(module):
        section, at = module[at], at + 1
        size = shift = 0
        while True:
            byte, at = module[at], at + 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        if section == 11:
            return size
        at += size
    return 0


pkg = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/site/pkg")
in_chunks = in_main = 0
for path in pkg.glob("*.wasm"):
    size = data_size(path.read_bytes())
    if path.name.startswith(("split_", "chunk_")):
        in_chunks += size
    else:
        in_main += size
share = in_chunks / max(in_chunks + in_main, 1)
if in_chunks and share < 0.2:
    sys.exit(f"{pkg}: the split chunks hold {share:.0%} of the data; the lazy pages' text stayed in "
             "the main module (raise SPLIT_SLACK in frontend/src/lib.rs)")
print(f"{pkg}: the split chunks hold {share:.0%} of the data")
