#!/usr/bin/env python3
"""Generate the tiny random-weight GGUF embedding model used by the `gguf:` backend's tests.

No GGUF model can be downloaded on the build machines, so this script writes one by hand: a
2-layer Llama-architecture decoder (32-d, 4 heads, SwiGLU, RMSNorm, RoPE) with a SentencePiece
("llama") vocabulary, in GGUF v3 with float32 tensors, and the reference vectors for a few texts
computed by an independent numpy implementation of the same forward pass (what llama.cpp's
`build_llama` graph computes). The tests check that node-llama-cpp (llama.cpp) gives the same
vectors, so the fixture checks our backend end to end against a second implementation.

The vocabulary holds every substring of "▁word" for a fixed word list, so llama.cpp's SPM
tokenizer turns each of those words into exactly one token; the reference therefore knows the
token ids without reimplementing the tokenizer. Other text falls back to byte tokens.

Usage (Debian python3 with python3-numpy): /usr/bin/python3 scripts/make-tiny-gguf-model.py
Writes test/fixtures/tiny-gguf/model.gguf (mean pooling), model-last.gguf (the same weights, last-token
pooling) and expected.json.
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'tiny-gguf')

N_EMBD, N_HEAD, N_FF, N_LAYER, N_CTX = 32, 4, 64, 2, 256
HEAD_DIM = N_EMBD // N_HEAD
EPS = 1e-5
ROPE_BASE = 10000.0
# llama.cpp pooling types: 0 none (node-llama-cpp then takes the last token), 1 mean, 2 cls, 3 last.
# The same weights are written twice: model.gguf pools by mean (BERT-style encoders), model-last.gguf
# by the last token (Qwen3-Embedding and other decoder embedders).
FILES = {'model.gguf': 1, 'model-last.gguf': 3}

WORDS = """patient glucose high low normal visit age years female male heart failure diabetes insulin
hemoglobin sodium potassium creatinine day days ago current conditions medications procedures lab
results blood pressure pain fever cough admission discharge emergency""".split()

TEXTS = [
    'patient glucose high',
    'heart failure diabetes insulin',
    'glucose high',
    'female patient age years',
    ' '.join(WORDS),
    'blood pressure high heart failure admission current visit days ago',
]

rng = np.random.default_rng(20251127)


def build_vocab():
    tokens, scores, types = ['<unk>', '<s>', '</s>'], [0.0, 0.0, 0.0], [2, 3, 3]
    for b in range(256):
        tokens.append(f'<0x{b:02X}>')
        scores.append(0.0)
        types.append(6)
    seen = set(tokens)
    pieces = []
    for w in WORDS:
        s = '\u2581' + w
        for i in range(len(s)):
            for j in range(i + 1, len(s) + 1):
                p = s[i:j]
                if p not in seen:
                    seen.add(p)
                    pieces.append(p)
    # Longer pieces score higher, so merges always reach the whole word.
    for p in sorted(pieces, key=lambda p: (len(p), p)):
        tokens.append(p)
        scores.append(float(len(p)) - 20.0)
        types.append(1)
    return tokens, scores, types


TOKENS, SCORES, TYPES = build_vocab()
N_VOCAB = len(TOKENS)
TOKEN_ID = {t: i for i, t in enumerate(TOKENS)}


def w(*shape, scale=0.3):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# numpy shapes are (out, in): GGUF lists dims reversed (ne0 = in, the contiguous one).
tensors = {'token_embd.weight': w(N_VOCAB, N_EMBD, scale=1.0)}
for l in range(N_LAYER):
    p = f'blk.{l}.'
    tensors[p + 'attn_norm.weight'] = (1 + w(N_EMBD, scale=0.1)).astype(np.float32)
    tensors[p + 'attn_q.weight'] = w(N_EMBD, N_EMBD)
    tensors[p + 'attn_k.weight'] = w(N_EMBD, N_EMBD)
    tensors[p + 'attn_v.weight'] = w(N_EMBD, N_EMBD)
    tensors[p + 'attn_output.weight'] = w(N_EMBD, N_EMBD)
    tensors[p + 'ffn_norm.weight'] = (1 + w(N_EMBD, scale=0.1)).astype(np.float32)
    tensors[p + 'ffn_gate.weight'] = w(N_FF, N_EMBD)
    tensors[p + 'ffn_up.weight'] = w(N_FF, N_EMBD)
    tensors[p + 'ffn_down.weight'] = w(N_EMBD, N_FF)
tensors['output_norm.weight'] = (1 + w(N_EMBD, scale=0.1)).astype(np.float32)

# --- GGUF v3 writer --------------------------------------------------------------------------
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)


def gstr(s):
    b = s.encode('utf-8')
    return struct.pack('<Q', len(b)) + b


def kv(key, vtype, value):
    out = gstr(key) + struct.pack('<I', vtype)
    if vtype == STR:
        return out + gstr(value)
    if vtype == ARR:
        etype, items = value
        out += struct.pack('<IQ', etype, len(items))
        for it in items:
            out += gstr(it) if etype == STR else struct.pack({F32: '<f', I32: '<i', U32: '<I'}[etype], it)
        return out
    return out + struct.pack({U32: '<I', F32: '<f', BOOL: '<?', I32: '<i'}[vtype], value)


ALIGN = 32


def metadata(pooling):
    return [
        kv('general.architecture', STR, 'llama'),
        kv('general.name', STR, 'ehr-embed tiny test model (random weights)'),
        kv('general.alignment', U32, ALIGN),
        kv('llama.context_length', U32, N_CTX),
        kv('llama.embedding_length', U32, N_EMBD),
        kv('llama.block_count', U32, N_LAYER),
        kv('llama.feed_forward_length', U32, N_FF),
        kv('llama.attention.head_count', U32, N_HEAD),
        kv('llama.attention.head_count_kv', U32, N_HEAD),
        kv('llama.attention.layer_norm_rms_epsilon', F32, EPS),
        kv('llama.rope.dimension_count', U32, HEAD_DIM),
        kv('llama.rope.freq_base', F32, ROPE_BASE),
        kv('llama.pooling_type', U32, pooling),
        kv('tokenizer.ggml.model', STR, 'llama'),
        kv('tokenizer.ggml.tokens', ARR, (STR, TOKENS)),
        kv('tokenizer.ggml.scores', ARR, (F32, SCORES)),
        kv('tokenizer.ggml.token_type', ARR, (I32, TYPES)),
        kv('tokenizer.ggml.unknown_token_id', U32, 0),
        kv('tokenizer.ggml.bos_token_id', U32, 1),
        kv('tokenizer.ggml.eos_token_id', U32, 2),
        kv('tokenizer.ggml.add_bos_token', BOOL, True),
        kv('tokenizer.ggml.add_eos_token', BOOL, False),
    ]

infos, blobs, offset = [], [], 0
for name, arr in tensors.items():
    data = np.ascontiguousarray(arr, dtype=np.float32).tobytes()
    dims = list(reversed(arr.shape))
    infos.append(gstr(name) + struct.pack('<I', len(dims)) + b''.join(struct.pack('<Q', d) for d in dims) + struct.pack('<IQ', 0, offset))
    pad = (-len(data)) % ALIGN
    blobs.append(data + b'\0' * pad)
    offset += len(data) + pad

os.makedirs(OUT, exist_ok=True)
for filename, pooling in FILES.items():
    meta = metadata(pooling)
    head = b'GGUF' + struct.pack('<IQQ', 3, len(tensors), len(meta)) + b''.join(meta) + b''.join(infos)
    head += b'\0' * ((-len(head)) % ALIGN)
    with open(os.path.join(OUT, filename), 'wb') as f:
        f.write(head)
        for b in blobs:
            f.write(b)

# --- reference forward pass (llama.cpp build_llama, rope NORM mode) ----------------------------


def rms_norm(x, weight):
    x = x.astype(np.float64)
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + EPS) * weight


def rope(x):
    # x: (n_tokens, n_head, head_dim); NORM mode rotates adjacent pairs (2i, 2i+1).
    n = x.shape[0]
    pos = np.arange(n)[:, None]
    inv = ROPE_BASE ** (-np.arange(0, HEAD_DIM, 2) / HEAD_DIM)
    theta = pos * inv[None, :]
    cos, sin = np.cos(theta)[:, None, :], np.sin(theta)[:, None, :]
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = x0 * cos - x1 * sin
    out[..., 1::2] = x0 * sin + x1 * cos
    return out


def forward(ids):
    t = {k: v.astype(np.float64) for k, v in tensors.items()}
    h = t['token_embd.weight'][ids]
    n = len(ids)
    mask = np.triu(np.full((n, n), -np.inf), 1)
    for l in range(N_LAYER):
        p = f'blk.{l}.'
        x = rms_norm(h, t[p + 'attn_norm.weight'])
        q = rope((x @ t[p + 'attn_q.weight'].T).reshape(n, N_HEAD, HEAD_DIM))
        k = rope((x @ t[p + 'attn_k.weight'].T).reshape(n, N_HEAD, HEAD_DIM))
        v = (x @ t[p + 'attn_v.weight'].T).reshape(n, N_HEAD, HEAD_DIM)
        att = np.einsum('qhd,khd->hqk', q, k) / np.sqrt(HEAD_DIM) + mask
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        o = np.einsum('hqk,khd->qhd', att, v).reshape(n, N_EMBD)
        h = h + o @ t[p + 'attn_output.weight'].T
        x = rms_norm(h, t[p + 'ffn_norm.weight'])
        g = x @ t[p + 'ffn_gate.weight'].T
        u = x @ t[p + 'ffn_up.weight'].T
        h = h + ((g / (1 + np.exp(-g))) * u) @ t[p + 'ffn_down.weight'].T
    return rms_norm(h, t['output_norm.weight'])


cases = []
for text in TEXTS:
    ids = [1] + [TOKEN_ID['\u2581' + word] for word in text.split(' ')]
    hidden = forward(ids)
    cases.append({
        'text': text,
        'ids': ids,
        'mean': [round(float(x), 7) for x in hidden.mean(0)],
        'last': [round(float(x), 7) for x in hidden[-1]],
    })

with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump({
        'generator': 'scripts/make-tiny-gguf-model.py',
        'dims': N_EMBD,
        'vocab': N_VOCAB,
        'contextLength': N_CTX,
        'files': {name: {0: 'none', 1: 'mean', 2: 'cls', 3: 'last'}[p] for name, p in FILES.items()},
        'cases': cases,
    }, f, indent=1)
    f.write('\n')
print(f'wrote {", ".join(FILES)} ({len(head) + offset} bytes each, vocab {N_VOCAB}) and expected.json ({len(cases)} cases) to {OUT}')
