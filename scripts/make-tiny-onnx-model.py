#!/usr/bin/python3
"""Write the tiny random-weight encoder used by the `onnx:` embedder tests.

Usage: /usr/bin/python3 scripts/make-tiny-onnx-model.py [out-dir]   (default test/fixtures/tiny-onnx)

Needs only Debian's python3-onnx and python3-numpy (no network, no model weights). The output is
in transformers.js layout:

  config.json            hidden_size, max_position_embeddings, model_type
  tokenizer.json         a hand-written WordPiece tokenizer (lowercase BertNormalizer,
                         BertPreTokenizer, TemplateProcessing adding [CLS] ... [SEP])
  tokenizer_config.json  model_max_length
  onnx/model.onnx        input_ids, attention_mask (int64 [batch, seq]) ->
                         last_hidden_state (float32 [batch, seq, hidden]) =
                         tanh((tok_emb[input_ids] + pos_emb[0..seq)) @ W + b) * (1 + 0.5 * mask)
  expected.json          golden vectors computed here with numpy from the same weights

Everything is seeded and written with sorted keys, so reruns give identical bytes.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20240611
HIDDEN = 32
MAX_POS = 64

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = """
the a an of and or to in on with without for by at from is was are were be been has had have
not no yes patient history diagnosis diagnoses condition conditions medication medications drug
dose lab labs test result results value high low normal abnormal visit visits admission admitted
discharge discharged emergency inpatient outpatient hospital clinic year years day days month
months age male female sex blood pressure heart rate glucose hemoglobin anemia diabetes type
mellitus fracture ankle kidney chronic acute disease failure infection pain chest fever cough
insulin metformin aspirin procedure surgery observation observations note notes mg dl ml
""".split()
PUNCT = list(".,:;()-/%+*=<>[]'\"!?#")
LETTERS = list("abcdefghijklmnopqrstuvwxyz")
DIGITS = list("0123456789")


def build_vocab():
    vocab = []
    for tok in SPECIAL + WORDS + PUNCT + LETTERS + DIGITS + ["##" + c for c in LETTERS + DIGITS]:
        if tok not in vocab:
            vocab.append(tok)
    return {tok: i for i, tok in enumerate(vocab)}


def tokenizer_json(vocab):
    special_ids = {t: vocab[t] for t in SPECIAL}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": special_ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            for t in SPECIAL
        ],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}},
            ],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [special_ids["[CLS]"]], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [special_ids["[SEP]"]], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab},
    }


def build_model(vocab_size, rng):
    tok_emb = rng.normal(0, 1, (vocab_size, HIDDEN)).astype(np.float32)
    pos_emb = rng.normal(0, 0.5, (MAX_POS, HIDDEN)).astype(np.float32)
    w = (rng.normal(0, 1, (HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)).astype(np.float32)
    b = rng.normal(0, 0.1, (HIDDEN,)).astype(np.float32)
    weights = {"tok_emb": tok_emb, "pos_emb": pos_emb, "w": w, "b": b}

    inits = [numpy_helper.from_array(v, name=k) for k, v in weights.items()]
    inits += [
        numpy_helper.from_array(np.array([-1], dtype=np.int64), name="neg1"),
        numpy_helper.from_array(np.array(0, dtype=np.int64), name="zero"),
        numpy_helper.from_array(np.array(1, dtype=np.int64), name="one"),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), name="onef"),
        numpy_helper.from_array(np.array(0.5, dtype=np.float32), name="halff"),
    ]
    nodes = [
        helper.make_node("Gather", ["tok_emb", "input_ids"], ["tok"], axis=0),
        helper.make_node("Shape", ["input_ids"], ["shape"]),
        helper.make_node("Gather", ["shape", "one"], ["seq_len"], axis=0),
        helper.make_node("Range", ["zero", "seq_len", "one"], ["positions"]),
        helper.make_node("Gather", ["pos_emb", "positions"], ["pos"], axis=0),
        helper.make_node("Add", ["tok", "pos"], ["x"]),
        helper.make_node("MatMul", ["x", "w"], ["xw"]),
        helper.make_node("Add", ["xw", "b"], ["xwb"]),
        helper.make_node("Tanh", ["xwb"], ["h"]),
        # Scale by 1 + 0.5 * mask, so the attention mask is an input the graph really reads
        # (padding positions get other values than the same token unpadded).
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "neg1"], ["mask3"]),
        helper.make_node("Mul", ["mask3", "halff"], ["mhalf"]),
        helper.make_node("Add", ["mhalf", "onef"], ["scale"]),
        helper.make_node("Mul", ["h", "scale"], ["last_hidden_state"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", HIDDEN])],
        inits,
    )
    model = helper.make_model(graph, producer_name="ehr-embed make-tiny-onnx-model.py", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model, weights


def forward(weights, ids):
    """The graph in numpy, for one unpadded sequence: [seq, hidden]."""
    ids = np.asarray(ids, dtype=np.int64)
    x = weights["tok_emb"][ids] + weights["pos_emb"][: len(ids)]
    return np.tanh(x @ weights["w"] + weights["b"]) * np.float32(1.5)


def wordpiece(vocab, text):
    """Enough of the tokenizer for the golden texts: lowercase words and single punctuation."""
    ids = [vocab["[CLS]"]]
    for word in text.lower().replace(":", " : ").replace(".", " . ").split():
        ids.append(vocab.get(word, vocab["[UNK]"]))
    return ids + [vocab["[SEP]"]]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "tiny-onnx")
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    rng = np.random.RandomState(SEED)
    vocab = build_vocab()
    model, weights = build_model(len(vocab), rng)

    def dump(name, obj):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")

    dump("config.json", {"model_type": "bert", "architectures": ["BertModel"], "hidden_size": HIDDEN, "max_position_embeddings": MAX_POS, "vocab_size": len(vocab), "pad_token_id": vocab["[PAD]"]})
    dump("tokenizer.json", tokenizer_json(vocab))
    dump("tokenizer_config.json", {"model_max_length": MAX_POS, "do_lower_case": True, "pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "mask_token": "[MASK]", "tokenizer_class": "BertTokenizer"})
    with open(os.path.join(out, "onnx", "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())

    golden = []
    for text in ["Patient history: type 2 diabetes mellitus.", "Hemoglobin low"]:
        ids = wordpiece(vocab, text)
        h = forward(weights, ids).astype(np.float64)
        mean = h.mean(axis=0)
        cls = h[0]
        last = h[-1]
        unit = lambda v: (v / np.linalg.norm(v)).round(7).tolist()
        golden.append({"text": text, "input_ids": ids, "mean": unit(mean), "cls": unit(cls), "last": unit(last)})
    dump("expected.json", {"note": "numpy forward pass of onnx/model.onnx, L2-normalized; written by scripts/make-tiny-onnx-model.py", "vectors": golden})


if __name__ == "__main__":
    main()
