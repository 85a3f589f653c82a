// peer-essentia.js FILE.wav: essentia.js 0.1.3 (WASM, under node) on a WAV
// file (16/24/32-bit PCM or 32-bit float, any channel count), printing one
// JSON object: RhythmExtractor2013 (multifeature) tempo, beats and
// confidence, OnsetRate onsets, LoudnessEBUR128 integrated loudness and
// KeyExtractor key. ESSENTIA names the installed essentia.js module.
// (TruePeakDetector throws inside the 0.1.3 WASM build, so no true peak.)
const fs = require('fs');
const es = require(process.env.ESSENTIA);
const essentia = new es.Essentia(es.EssentiaWASM);
const b = fs.readFileSync(process.argv[2]);
let i = 12, ch = 0, rate = 0, bits = 0, tag = 0, data = null;
while (i + 8 <= b.length) {
  const id = b.toString('ascii', i, i + 4), sz = b.readUInt32LE(i + 4);
  if (id === 'fmt ') {
    tag = b.readUInt16LE(i + 8); ch = b.readUInt16LE(i + 10); rate = b.readUInt32LE(i + 12); bits = b.readUInt16LE(i + 22);
    if (tag === 0xFFFE) tag = b.readUInt16LE(i + 32);
  }
  if (id === 'data') { data = b.subarray(i + 8, Math.min(b.length, i + 8 + sz)); break; }
  i += 8 + sz + (sz & 1);
}
const bytes = bits / 8, n = Math.floor(data.length / bytes / ch);
const sample = (k) => {
  const o = k * bytes;
  if (tag === 3) return data.readFloatLE(o);
  if (bits === 16) return data.readInt16LE(o) / 32768;
  if (bits === 24) return data.readIntLE(o, 3) / 8388608;
  return data.readInt32LE(o) / 2147483648;
};
const L = new Float32Array(n), R = new Float32Array(n), mono = new Float32Array(n);
for (let k = 0; k < n; k++) {
  L[k] = sample(k * ch); R[k] = sample(k * ch + ch - 1); mono[k] = (L[k] + R[k]) / 2;
}
const v = x => essentia.arrayToVector(x), a = x => Array.from(essentia.vectorToArray(x));
const r = essentia.RhythmExtractor2013(v(mono), 208, 'multifeature', 40);
const on = essentia.OnsetRate(v(mono));
const ld = essentia.LoudnessEBUR128(v(L), v(R), 0.1, rate);
const k = essentia.KeyExtractor(v(mono));
console.log(JSON.stringify({ bpm: r.bpm, bpm_confidence: r.confidence, beats: a(r.ticks), onsets: a(on.onsets),
  loudness_lufs: ld.integratedLoudness, true_peak_dbtp: null, key: k.key, mode: k.scale }));
