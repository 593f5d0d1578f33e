#!/usr/bin/env python3
"""Golden fixtures for tuneforge-tokens: what transformers renders and tokenizes.

Pinned versions (the fixtures in this directory were generated with exactly these):

    transformers==5.23.0  tokenizers==0.23.3  jinja2==3.1.6   (Python 3.11, no torch)

Usage:

    python generate.py OUT_DIR

For each chat template in ``templates/`` it writes ``OUT_DIR/<name>/`` holding a model
directory as transformers 5 saves it (``tokenizer.json``, ``tokenizer_config.json``,
``chat_template.jinja``) and ``cases.json``: conversations with transformers'
``apply_chat_template(..., tokenize=False)`` text, the ids of
``tokenizer(text, add_special_tokens=False)`` and, for templates with
``{% generation %}`` tags, ``return_assistant_tokens_mask``. Conversations the template
refuses carry the template's error message instead.

The tokenizer is a small byte-level BPE trained here on a fixed corpus; training is
deterministic, so running this twice gives identical bytes. The Rust test
``tests/golden.rs`` compares tuneforge's output with these files, and re-runs this script
(when ``TUNEFORGE_WORKER_PYTHON`` names a python with transformers) to prove the checked-in
fixtures are still transformers' truth.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import tokenizers
import transformers
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

HERE = Path(__file__).resolve().parent

# Qwen2's split regex (the look-ahead needs fancy-regex on the Rust side).
SPLIT_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)

SPECIAL = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<s>",
    "</s>",
    "<unk>",
    "[INST]",
    "[/INST]",
    "[SYSTEM_PROMPT]",
    "[/SYSTEM_PROMPT]",
    "[AVAILABLE_TOOLS]",
    "[/AVAILABLE_TOOLS]",
    "[TOOL_CALLS]",
]
# Added but not special, as in Qwen2.5: they still tokenize as one control-like token.
ADDED_PLAIN = ["<tool_call>", "</tool_call>"]

CORPUS = [
    "The quick brown fox jumps over the lazy dog. Hello, world! How are you today?",
    "You are a helpful assistant. Answer the question below, step by step.",
    "def add(a, b):\n    return a + b\n\nprint(add(1, 2))\n",
    "fn main() {\n    let x: Vec<u32> = (0..10).collect();\n    println!(\"{:?}\", x);\n}\n",
    "<?php\nfunction hello(string $name): string {\n    return \"Hello, {$name}!\";\n}\n",
    '{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}',
    "Die Straße ist naß. Ça va très bien, merci. Ñandú, über, façade, coöperate.",
    "日本語のテキストと中文文本。Русский текст. Ελληνικά. عربى. 한국어 텍스트.",
    "Emoji: 🚀 🎉 ✓ ✗ → ← ≤ ≥ … — – “quotes” ‘single’ «guillemets»",
    "Numbers: 0 1 2 3 4 5 6 7 8 9 10 100 1000 3.14159 -0.0 1e-05 1e+16 0.5",
    "Tabs\tand\nnewlines\r\nand   multiple    spaces\n\n\nend.",
    "SELECT id, name FROM users WHERE age > 21 AND name LIKE '%son';",
    "<html><body><p class=\"x\">a &amp; b &lt; c</p></body></html>",
    "Tools: search the web, read a file, run code. Parameters: query, path, timeout.",
    "The function returns a list of results sorted by relevance score.",
    "Question: what is the capital of France? Answer: Paris is the capital of France.",
]


def train_tokenizer() -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(SPLIT_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=800,
        min_frequency=1,
        show_progress=False,
        special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(CORPUS * 3, trainer=trainer)
    tok.add_tokens([tokenizers.AddedToken(t, special=False, normalized=False) for t in ADDED_PLAIN])
    return tok


# name -> special tokens of the model dir (the rest of SPECIAL are just in the vocabulary)
MODELS = {
    "qwen2.5": dict(eos_token="<|im_end|>", pad_token="<|endoftext|>"),
    "mistral_v7_style": dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>"),
    "chatml_generation": dict(eos_token="<|im_end|>", pad_token="<|endoftext|>"),
}

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the weather for a city. Use <b>only</b> for weather & climate; 'quoted' \"double\" — café ✓ 日本 🚀",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City name, e.g. Zürich"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                    "tolerance": {"type": "number", "default": 1e-05, "minimum": -0.0, "maximum": 1e16},
                    "ratio": {"type": "number", "default": 1.0, "examples": [0.1, 2.5e-07, 123.456, 1e+22, 3]},
                    "flags": {"type": "array", "items": {"type": "boolean"}, "default": [True, False, None]},
                },
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "run_code",
            "description": "Run code.\nLine two\twith tab and a control char \u0001 and a backslash \\ here.",
            "parameters": {"type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"]},
        },
    },
]

SYS = {"role": "system", "content": "You are a careful assistant. Règles: <none> & no 'tricks'."}


def u(c):
    return {"role": "user", "content": c}


def a(c, **kw):
    return {"role": "assistant", "content": c, **kw}


def qwen_cases():
    tc = {
        "type": "function",
        "function": {"name": "get_weather", "arguments": {"city": "Zürich", "tolerance": 1e-05, "big": 1e16, "n": 3, "neg": -0.0}},
    }
    return [
        ("single_turn", [u("Hello!"), a("Hi there, how can I help?")], None, False),
        ("single_turn_gen_prompt", [u("Hello!")], None, True),
        ("system_multi_turn", [SYS, u("What is 2+2?"), a("4."), u("And 3+3?"), a("6.")], None, False),
        ("no_system_multi_turn", [u("a"), a("b"), u("c"), a("d"), u("e")], None, True),
        ("unicode", [u("日本語で答えて 🚀 café"), a("はい、わかりました。 Ελληνικά ✓")], None, False),
        ("empty_content", [u(""), a("")], None, False),
        ("tricky_whitespace", [u("  leading\n\n\ttabs  \r\n"), a("\n\ntrailing   \n  ")], None, False),
        ("unit_separators", [u("\x1c\x1d x \x1e\x1f"), a("\u00a0nbsp\u2003emsp\u3000")], None, False),
        ("tools_single", [u("Weather in Zürich?"), a("Let me check.")], TOOLS, False),
        ("tools_with_system", [SYS, u("Weather in Zürich?")], TOOLS, True),
        ("tools_multi_turn", [SYS, u("Hi"), a("Hello"), u("Weather?"), a("Sunny.")], TOOLS, False),
        (
            "tool_call_and_response",
            [
                u("Weather in Zürich?"),
                a("", tool_calls=[tc]),
                {"role": "tool", "content": '{"temp": 21.5, "unit": "celsius"}'},
                {"role": "tool", "content": "second <response> & more"},
                a("It is 21.5 °C."),
            ],
            TOOLS,
            False,
        ),
        ("tool_call_with_content", [u("Check"), a("Checking now.", tool_calls=[tc])], TOOLS, False),
        ("none_valued_keys", [u("Hi"), a("Hello", tool_calls=None, name=None)], None, False),
        ("system_only", [SYS], None, True),
        ("html_and_braces", [u("<div>{{ not a template }}</div> {% raw %} & &amp;"), a("{'a': 1} <|not special|>")], None, False),
        ("long_code", [u("Write fizzbuzz"), a("```python\nfor i in range(1, 101):\n    print('Fizz' * (i % 3 == 0) + 'Buzz' * (i % 5 == 0) or i)\n```")], None, False),
        ("second_system_message", [SYS, u("x"), {"role": "system", "content": "late system"}, a("y")], None, False),
        ("assistant_first", [a("I start."), u("ok")], None, True),
        ("empty_tools_list", [u("Hi"), a("Hello")], [], False),
    ]


def mistral_cases():
    mtools = [
        {
            "type": "function",
            "function": {
                "name": "lookup",
                "description": "Look up a term <b>&</b> 'quotes' café 🚀",
                "parameters": {"type": "object", "properties": {"q": {"type": "string", "default": "x"}, "eps": {"type": "number", "default": 1e-05}}},
                "return": {"type": "string"},
            },
        }
    ]
    tcm = {"function": {"name": "lookup", "arguments": {"q": "Zürich", "eps": 1e-05, "big": 1e16, "ok": True, "nothing": None}}}
    return [
        ("single_turn", [u("Hello!"), a("Hi!")], None, False),
        ("gen_prompt", [u("Hello!")], None, True),
        ("system", [SYS, u("Q"), a("A")], None, False),
        ("multi_turn", [u("1"), a("one"), u("2"), a("two")], None, False),
        ("multi_turn_gen", [u("1"), a("one"), u("2"), a("two"), u("3")], None, True),
        ("trim_content", [u("  spaced  "), a("  \n padded answer \t\n ")], None, False),
        ("unit_separator_trim", [u("x"), a("\x1c\x1f answer \x1e\u2028")], None, False),
        ("unicode", [u("日本語 🚀"), a("Ελληνικά ✓ café")], None, False),
        ("empty_content", [u(""), a("")], None, False),
        ("tools", [u("look up x"), a("done")], mtools, False),
        ("tools_multi_turn", [SYS, u("hi"), a("hello"), u("look up y")], mtools, True),
        ("tool_calls", [u("look up"), a("", tool_calls=[tcm])], mtools, False),
        ("tool_calls_multi", [u("look up"), a("", tool_calls=[tcm, tcm]), u("thanks"), a("welcome")], mtools, False),
        ("none_valued_keys", [u("Hi"), a("Hello", tool_calls=None)], None, False),
        ("braces", [u("{ braces } & <tags>"), a("'quotes' \"dq\" \\ backslash")], None, False),
        ("not_alternating", [u("a"), u("b")], None, False),
        ("gen_prompt_after_assistant", [u("a"), a("b")], None, True),
        ("bad_role", [u("a"), a("b"), {"role": "tool", "content": "t"}], None, False),
        ("three_assistants", [u("1"), a("a"), u("2"), a("b"), u("3"), a("c")], None, False),
        ("system_only_gen", [SYS], None, False),
    ]


def generation_cases():
    meta = {"k": "v", "f": 1e-05, "big": 1e16, "neg": -0.0, "one": 1.0, "b": True, "n": None, "l": [1, 2.5, "it's", 'say "hi"'], "é": "ü\n🚀"}
    return [
        ("single_turn", [u("Hello!"), a("Hi there.")], None, False),
        ("system_multi_turn", [SYS, u("q1"), a("a1"), u("q2"), a("a2")], None, False),
        ("gen_prompt", [u("q1"), a("a1"), u("q2")], None, True),
        ("unicode", [u("日本語 🚀"), a("Ελληνικά ✓ café 🎉")], None, False),
        ("empty_assistant", [u("q"), a("")], None, False),
        ("whitespace_assistant", [u("q"), a("  \n spaced \n ")], None, False),
        ("meta_repr", [{**u("show meta"), "meta": meta}, a("ok")], None, False),
        ("scores", [{**u("scores"), "scores": [1e-05, 1e16, 1e15, 0.0001, -0.0, 1.0, 3, True, None, "s", 123456789.125, 1.5e-10]}, a("ok")], None, False),
        ("words", [{**u("\x1c\x1d  alpha\u00a0beta\tgamma\u2003delta \x1e\x1f"), "words": True}, a("ok")], None, False),
        ("strip_user", [u(" \x1f padded \x1c "), a("x")], None, False),
        ("trim_system", [{"role": "system", "content": "\x1c sys \x1f\n"}, u("q"), a("a")], None, False),
        ("long", [u("Write code"), a("def f(x):\n    return x * 2\n\nprint(f(21))")], None, False),
        ("bad_role", [u("q"), {"role": "tool", "content": "t"}], None, False),
        ("three_turns", [u("1"), a("one"), u("2"), a("two"), u("3"), a("three")], None, False),
        ("special_like_text", [u("<|im_start|> in user text"), a("<|im_end|> in answer")], None, False),
    ]


CASES = {"qwen2.5": qwen_cases, "mistral_v7_style": mistral_cases, "chatml_generation": generation_cases}


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: generate.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    raw = train_tokenizer()
    for name, specials in MODELS.items():
        template = (HERE / "templates" / f"{name}.jinja").read_text(encoding="utf-8")
        model_dir = out / name
        model_dir.mkdir(parents=True, exist_ok=True)
        tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(raw.to_str()), **specials)
        tok.chat_template = template
        tok.save_pretrained(str(model_dir))
        # Reload from disk so the cases are what a user of the saved directory gets.
        tok = transformers.AutoTokenizer.from_pretrained(str(model_dir))
        has_generation = "{% generation %}" in template
        cases = []
        for case_name, messages, tools, agp in CASES[name]():
            case = {"name": case_name, "messages": messages, "tools": tools, "add_generation_prompt": agp}
            try:
                text = tok.apply_chat_template(messages, tools=tools, tokenize=False, add_generation_prompt=agp)
            except Exception as e:  # the template refused the conversation
                case["error"] = str(e)
                cases.append(case)
                continue
            case["text"] = text
            case["input_ids"] = tok(text, add_special_tokens=False).input_ids
            if has_generation:
                out_dict = tok.apply_chat_template(
                    messages,
                    tools=tools,
                    tokenize=True,
                    return_dict=True,
                    return_assistant_tokens_mask=True,
                    add_generation_prompt=agp,
                )
                assert out_dict["input_ids"] == case["input_ids"], case_name
                case["assistant_masks"] = out_dict["assistant_masks"]
            cases.append(case)
        write_json(
            model_dir / "cases.json",
            {
                "template": name,
                "versions": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__},
                "cases": cases,
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
