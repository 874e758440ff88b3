#!/usr/bin/env python3
"""Makes each lazy page's WASM one download instead of dozens.

wasm-split gives every set of lazy pages that shares code its own chunk, so a page fetches its
own module plus every chunk it shares with any other page: the agent's ticket page 288 files.
Each file is compressed on its own, and small ones hardly compress: a page's chunks are a third
smaller compressed together than one by one. Run after each `cargo leptos build --split`, this
writes one bundle per lazy page holding all of its modules, and points the page's loader and
the server's preload links at it. The modules stay as they were, each instantiated on its own:
a module another page already loaded is not loaded again, and without its bundle (a failed
fetch) a page falls back to one fetch per module.

A bundle is a valid WASM file, as the server's preload links expect: the WASM header and one
custom section, `split-bundle`, holding a little-endian u32 index length, the index as JSON
([[module, byte length], ...] in manifest order), then the modules' bytes.

Usage: scripts/bundle-split.py [target/site/pkg]
Compresses what it writes (brotli 11 and gzip 9) when the build precompressed its files.
"""
import gzip
import json
import pathlib
import re
import struct
import sys

pkg = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/site/pkg")
manifest_path = pkg / "__wasm_split_manifest.json"
if not manifest_path.exists():
    sys.exit(f"{pkg}: no split manifest; build with `cargo leptos build --split` first")
loader_path = next(pkg.glob("__wasm_split.*.js"))
manifest = json.loads(manifest_path.read_text())
if all(len(modules) == 1 and modules[0].startswith("bundle_") for modules in manifest.values()):
    sys.exit(0)  # bundled already: the build did not run again
precompress = (pkg / f"{loader_path.name}.br").exists()
if precompress:
    import brotli  # installed by scripts/setup.sh


def leb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def write(path: pathlib.Path, data: bytes) -> None:
    path.write_bytes(data)
    if precompress:
        pathlib.Path(f"{path}.br").write_bytes(brotli.compress(data, quality=11))
        pathlib.Path(f"{path}.gz").write_bytes(gzip.compress(data, 9, mtime=0))


def bundle_name(split: str) -> str:
    return "bundle_" + split.lstrip("_")


for split, modules in manifest.items():
    blobs = [(pkg / f"{module}.wasm").read_bytes() for module in modules]
    index = json.dumps([[module, len(blob)] for module, blob in zip(modules, blobs)]).encode()
    name = b"split-bundle"
    payload = leb128(len(name)) + name + struct.pack("<I", len(index)) + index + b"".join(blobs)
    write(pkg / f"{bundle_name(split)}.wasm", b"\0asm\1\0\0\0" + b"\0" + leb128(len(payload)) + payload)

# wasm-split's loader names every module of every page (240 KB of JavaScript for this app, 7 KB
# compressed, on every page). This one reads the modules from each page's bundle and is built
# from a table of the pages' chunk numbers. Its exports are the ones the main module imports.
original = loader_path.read_text()
# wasm-split's own code for the imports every module shares (memory, table, and in debug builds
# a canary that refuses a module of another build), kept as it wrote it.
shared_start, shared_end = original.find("let sharedImports"), original.find("function wrapAsyncCb")
assert 0 < shared_start < shared_end, "unexpected wasm-split loader"
shared_imports = original[shared_start:shared_end].strip()
assert "function getSharedImports()" in shared_imports and "__indirect_function_table" in shared_imports
chunk_number = re.compile(r"chunk_(\d+)")
pages = {}
for split, modules in manifest.items():
    assert modules[-1] == f"split_{split}", f"unexpected module order for {split}"
    pages[split] = [int(chunk_number.fullmatch(module).group(1)) for module in modules[:-1]]
LOADER = """// Written by scripts/bundle-split.py from wasm-split's manifest: each lazy page's WASM modules
// arrive in one bundle, and each module is instantiated once, in the order wasm-split gives.
import { initSync } from "./helpdesk.js";

const PAGES = %(pages)s;
const loaded = new Map();

%(shared)s

async function bundle(page) {
    try {
        const response = await fetch(new URL(`./bundle_${page.replace(/^_+/, "")}.wasm`, import.meta.url));
        if (!response.ok) return null;
        const bytes = new Uint8Array(await response.arrayBuffer());
        let at = 9;
        const leb = () => {
            let value = 0, shift = 0, byte;
            do { byte = bytes[at++]; value |= (byte & 0x7f) << shift; shift += 7; } while (byte & 0x80);
            return value;
        };
        leb(); // the section's size
        const nameLength = leb();
        at += nameLength;
        const indexLength = new DataView(bytes.buffer).getUint32(at, true);
        at += 4;
        const index = JSON.parse(new TextDecoder().decode(bytes.subarray(at, at + indexLength)));
        at += indexLength;
        const modules = new Map();
        for (const [module, length] of index) {
            modules.set(module, bytes.subarray(at, at + length));
            at += length;
        }
        return modules;
    } catch (error) {
        console.warn(`no bundle for ${page}: fetching its modules one by one`, error);
        return null;
    }
}

function instantiate(module, bytes) {
    let instance = loaded.get(module);
    if (instance === undefined) {
        const source = bytes
            ? Promise.resolve(new Response(bytes, { headers: { "Content-Type": "application/wasm" } }))
            : fetch(new URL(`./${module}.wasm`, import.meta.url));
        instance = WebAssembly.instantiateStreaming(source, getSharedImports());
        // A failed load is tried again next time, not remembered.
        instance.catch(() => loaded.get(module) === instance && loaded.delete(module));
        loaded.set(module, instance);
    }
    return instance;
}

async function loadPage(page) {
    const chunks = PAGES[page].map((number) => `chunk_${number}`);
    const own = `split_${page}`;
    // The bundle when most of the page is new; otherwise only its few missing modules, as for
    // a picker whose page already brought most of its code.
    const missing = [...chunks, own].filter((module) => !loaded.has(module)).length;
    const modules = missing * 2 > chunks.length + 1 ? await bundle(page) : null;
    // Every fetch settles before a failure is reported: a retry must not reuse a fetch of the
    // failed attempt that is still on its way to failing too.
    const settled = await Promise.allSettled(chunks.map((chunk) => instantiate(chunk, modules?.get(chunk))));
    const failed = settled.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
    await instantiate(own, modules?.get(own));
}

function loader(page) {
    return async (callbackIndex, callbackData) => {
        let success = false;
        try {
            await loadPage(page);
            success = true;
        } catch (error) {
            console.error(error);
        } finally {
            getSharedImports().__wasm_split.__indirect_function_table.get(callbackIndex)(callbackData, success);
        }
    };
}
""" % {"pages": json.dumps(pages, separators=(",", ":")), "shared": shared_imports}
LOADER += "".join(f'export const __wasm_split_load_{split} = loader("{split}");\n' for split in manifest)
write(loader_path, LOADER.encode())
write(manifest_path, json.dumps({split: [bundle_name(split)] for split in manifest}).encode())
