#!/usr/bin/env node
// ONNX Runtime's latency (and optionally accuracy) on one model, for
// compare_peers.py:
//
//   node ort_bench.js MODEL.onnx INPUT.npy [INPUT2.npy ...] [--threads N] [--runs R]
//        [--warmup W] [--profile] [--optimized OUT.onnx] [--eval X.npy --labels Y.npy]
//        [--dump OUT.bin]
//
// Prints one JSON object: median_ms, p10_ms, p90_ms, runs, threads, ort
// version; with --profile "kernels" (op type -> count of the nodes that ran,
// from ORT's profiler: after QDQ fusion an INT8 model should list QLinearConv,
// QGemm, ... and no float Conv/Gemm/MatMul); with --eval "accuracy" (top-1
// over the last axis of output 0, samples run one at a time at the batch of
// INPUT); with --dump output 0's raw bytes go to OUT.bin and "dump" gives
// its type and dims. Graph optimization level "all", intra/inter-op
// threads = --threads.
// onnxruntime-node is looked up in benchmarks/.node (npm install
// --ignore-scripts onnxruntime-node there: the CPU binding ships in the
// package; the install script only fetches CUDA binaries).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const ort = require(require.resolve('onnxruntime-node', {paths: [path.join(__dirname, '.node'), __dirname]}));

// .npy reader: version 1-3 headers, little-endian float32/float64/int64/int32/uint8/int8, C order.
const NPY_TYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array], '<i8': ['int64', BigInt64Array],
  '<i4': ['int32', Int32Array], '|u1': ['uint8', Uint8Array], '|i1': ['int8', Int8Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12);
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order is not supported`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const type = NPY_TYPES[descr];
  if (!type) throw new Error(`${file}: dtype ${descr} is not supported`);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  // Copy so the typed array is aligned whatever the header length.
  const bytes = buf.subarray(offset, offset + count * type[1].BYTES_PER_ELEMENT);
  const data = new type[1](new Uint8Array(bytes).buffer);
  return {dtype: type[0], shape, data};
}

function parseArgs(argv) {
  const a = {inputs: [], threads: 1, runs: 50, warmup: 5, profile: false, optimized: null, eval: null, labels: null,
             dump: null};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => argv[++i];
    if (arg === '--threads') a.threads = Number(next());
    else if (arg === '--runs') a.runs = Number(next());
    else if (arg === '--warmup') a.warmup = Number(next());
    else if (arg === '--profile') a.profile = true;
    else if (arg === '--optimized') a.optimized = next();
    else if (arg === '--eval') a.eval = next();
    else if (arg === '--labels') a.labels = next();
    else if (arg === '--dump') a.dump = next();
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else if (!a.model) a.model = arg;
    else a.inputs.push(arg);
  }
  if (!a.model || a.inputs.length === 0) throw new Error('usage: ort_bench.js MODEL.onnx INPUT.npy [...] [options]');
  return a;
}

function peakRss() {
  const m = /VmHWM:\s*(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'latin1'));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

function percentile(sorted, p) {
  // Linear interpolation, as numpy.percentile's default.
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function kernelCounts(profileFile, sessionRuns) {
  // Node events name "<node>_kernel_time" and carry the op type in args.op_name;
  // counts are per session run (nodes of that op type in the executed graph).
  const counts = {};
  for (const e of JSON.parse(fs.readFileSync(profileFile, 'utf8'))) {
    if (e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.args && e.args.op_name) {
      counts[e.args.op_name] = (counts[e.args.op_name] || 0) + 1 / sessionRuns;
    }
  }
  return counts;
}

async function accuracy(session, xFile, yFile, batchShape) {
  const x = readNpy(xFile), y = readNpy(yFile);
  const per = batchShape.slice(1).reduce((p, d) => p * d, 1) * batchShape[0];
  const n = x.shape[0] / batchShape[0];
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = new ort.Tensor('float32', x.data.slice(i * per, (i + 1) * per), batchShape);
    const out = (await session.run({[session.inputNames[0]]: t}))[session.outputNames[0]];
    const classes = out.dims[out.dims.length - 1];
    for (let b = 0; b < batchShape[0]; b++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (out.data[b * classes + c] > out.data[b * classes + best]) best = c;
      if (BigInt(best) === BigInt(y.data[i * batchShape[0] + b])) correct++;
    }
  }
  return {accuracy: correct / x.shape[0], count: x.shape[0], correct};
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const profileDir = a.profile ? fs.mkdtempSync(path.join(os.tmpdir(), 'ort_profile_')) : null;
  const options = {
    graphOptimizationLevel: 'all', intraOpNumThreads: a.threads, interOpNumThreads: a.threads,
    executionMode: 'sequential', executionProviders: ['cpu'],
  };
  if (a.optimized) options.optimizedModelFilePath = a.optimized;
  if (a.profile) Object.assign(options, {enableProfiling: true, profileFilePrefix: path.join(profileDir, 'ort')});
  const session = await ort.InferenceSession.create(a.model, options);
  const feeds = {};
  a.inputs.forEach((file, i) => {
    const x = readNpy(file);
    feeds[session.inputNames[i]] = new ort.Tensor(x.dtype, x.data, x.shape);
  });
  for (let i = 0; i < a.warmup; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < a.runs; i++) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((x, y) => x - y);
  const result = {
    median_ms: percentile(times, 0.5), p10_ms: percentile(times, 0.1), p90_ms: percentile(times, 0.9),
    runs: a.runs, threads: a.threads, ort: ort.env.versions.node,
    // The process's peak resident memory so far (node, V8 and ORT
    // included): VmHWM, since maxRSS carries over from a parent across exec.
    peak_rss_bytes: peakRss(),
  };
  let sessionRuns = a.warmup + a.runs;
  if (a.dump) {
    const out = (await session.run(feeds))[session.outputNames[0]];
    fs.writeFileSync(a.dump, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
    result.dump = {type: out.type, dims: out.dims};
    sessionRuns += 1;
  }
  if (a.eval) {
    result.eval = await accuracy(session, a.eval, a.labels, feeds[session.inputNames[0]].dims.slice());
    sessionRuns += result.eval.count / feeds[session.inputNames[0]].dims[0];
  }
  if (a.profile) {
    session.endProfiling();
    const file = fs.readdirSync(profileDir).find(f => f.endsWith('.json'));
    result.kernels = file ? kernelCounts(path.join(profileDir, file), sessionRuns) : null;
    for (const k in result.kernels || {}) result.kernels[k] = Math.round(result.kernels[k] * 100) / 100;
    fs.rmSync(profileDir, {recursive: true, force: true});
  }
  await session.release();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch(e => { process.stderr.write(`ort_bench: ${e.message || e}\n`); process.exit(1); });
