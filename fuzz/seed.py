#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the repository's fixtures and rule files (deterministic)."""
import hashlib, os, pathlib, re

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "fuzz" / "corpus"
NAMES = ["docker-compose.yml", "k8s/deploy.yaml", "asyncapi.yaml", "server.properties", "redis.conf",
         "mosquitto.conf", "package.json", "Cargo.toml", "pyproject.toml", "requirements.txt", "go.mod",
         "pom.xml", "build.gradle", "chart/Chart.yaml", "chart/values.yaml", "chart/templates/broker.yaml",
         "nats-server.conf", "rabbitmq.conf", "kafka.yaml", "infra/msk.tf",
         "src/main/resources/application.yml", "config/application-prod.properties",
         "config/producer.properties"]

def put(target, data):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)

def name_index(path):
    base = path.name
    for i, n in enumerate(NAMES):
        if n.split("/")[-1] == base:
            return i
    if "templates" in path.parts: return 15
    if base.startswith("values"): return 14
    if base.endswith(".properties"): return 3
    if base.startswith("redis") or base.startswith("sentinel"): return 4
    if base.startswith("mosquitto"): return 5
    if base in ("compose.yaml", "compose.yml", "docker-compose.yaml"): return 0
    if base.endswith((".yaml", ".yml")): return 1
    return None

files = sorted(p for p in (root / "fixtures").rglob("*") if p.is_file())
for p in files:
    data = p.read_bytes()
    base = p.name
    if base.endswith((".yaml", ".yml", ".json")):
        put("yaml", data)
        put("lean", data)
        put("block", data)
    if base.endswith(".tf"):
        put("hcl", data)
    if base.startswith(("application", "bootstrap")):
        put("spring", bytes([0 if base.endswith((".yml", ".yaml")) else 1]) + data)
    if base.startswith("busfit"):
        put("manifest", data)
    if base.endswith(".toml"):
        put("toml", data)
    if base.endswith((".conf", ".properties")):
        put("conf", data)
    i = name_index(p)
    if i is not None and not base.startswith("busfit"):
        put("check_file", bytes([i]) + data)

for p in sorted((root / "rules").rglob("*.yaml")):
    text = p.read_text()
    put("yaml", text.encode())
    put("lean", text.encode())
    put("block", text.encode())
    for m in re.finditer(r"(?:when|condition|if): ?\"?([^\"\n]+)", text):
        put("expr", m.group(1).encode())
    for m in re.finditer(r"\b\d[\d.]*\s?(?:ms|us|s|min|h|d|w|k/s|M/s|/s|KiB|MiB|GiB|B|MB|KB|k|M)\b", text):
        put("quantity", m.group(0).encode())
# `project`: every fixture directory as one repository. Its files, NUL-separated, each behind
# the byte that picks its path (len(NAMES) picks busfit.yaml); directories of one file are
# check_file's already.
by_dir = {}
for p in files:
    by_dir.setdefault(p.parent, []).append(p)
for d, ps in sorted(by_dir.items()):
    pieces = []
    for p in ps:
        data = p.read_bytes()
        if b"\0" in data:
            continue
        i = len(NAMES) if p.name.startswith("busfit") else name_index(p)
        if i is not None:
            # the byte is taken modulo len(NAMES) + 1: shifted by that, it is never the NUL
            # that separates the pieces
            pieces.append(bytes([i + len(NAMES) + 1]) + data)
    if len(pieces) > 1:
        put("project", b"\0".join(pieces))

# busfit.yaml files written inside the tests (`manifest_dir("version: 1\nsettings: …")`) and
# in the docs' YAML blocks: they use the keys no fixture does (settings.fail_on, rules,
# max_file_size, baseline, custom_rules), which the fuzzer does not reach by mutation alone.
def rust_string(body):
    return re.sub(r"\\(n|t|\"|\\)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)

for p in sorted((root / "tests").glob("*.rs")):
    t = p.read_text()
    for m in re.finditer(r'r(#*)"(.*?)"\1', t, re.S):
        if m.group(2).lstrip().startswith("version:"):
            put("manifest", m.group(2).encode())
    for m in re.finditer(r'(?<![r#])"((?:[^"\\]|\\.)*)"', t, re.S):
        if m.group(1).startswith("version:"):
            put("manifest", rust_string(m.group(1)).encode())
for p in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
    for m in re.finditer(r"```ya?ml\n(.*?)```", p.read_text(), re.S):
        if re.search(r"(?m)^version:", m.group(1)):
            put("manifest", m.group(1).encode())

for q in ["0.5ms", "forever", "1.2M/min", "4KiB", "200k", "10MB/s", "1_000ms", "0"]:
    put("quantity", q.encode())

# Dictionaries (fuzz/dict/<target>.dict, passed as -dict=): YAML's syntax, the words busfit's
# readers compare against, and the keys, images and settings named in rules/. libFuzzer splices
# them into inputs, so a mutation reaches `kind: Kafka` or `min.insync.replicas` without having
# to guess it byte by byte.
YAML = ["---", "...", "- ", ": ", "? ", "&a ", "*a", "!!str ", "!!int ", "!t ", "<<: ", "|", "|-",
        "|+", ">", ">-", "|2", "{", "}", "[", "]", ", ", "# ", "%YAML 1.2", "%TAG ! tag:x,1:",
        "'", "\"", "\\x41", "\\u00e9", "\\U0001F600", "\\n", "\\\n", "''", "~", "null",
        "true", "false", "0x1F", "0o17", ".inf", "-.nan", "1e3", "\t", "\r\n", "\n  ", "\n- ",
        "\u00a0", "\ufeff"]

def literals(globs):
    out = set()
    for g in globs:
        for p in sorted(root.glob(g)):
            for m in re.finditer(r'"((?:[^"\\\n]|\\.){2,40})"', p.read_text()):
                t = m.group(1)
                if " " not in t and "{" not in t and "\\" not in t:
                    out.add(t)
    return out

def rule_words():
    out = set()
    for p in sorted((root / "rules").rglob("*.yaml")):
        t = p.read_text()
        for m in re.finditer(r"[A-Za-z0-9_][A-Za-z0-9_.:/-]{2,40}", t):
            w = m.group(0).rstrip(".:")
            if re.search(r"[._/-]", w) and not w.startswith("http"):
                out.add(w)
        for m in re.finditer(r"(?m)^[ -]*([A-Za-z_][\w.-]*):", t):
            out.add(m.group(1))
    return out

def write_dict(target, words):
    d = root / "fuzz" / "dict"
    d.mkdir(exist_ok=True)
    def esc(w):
        return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else
                       ("\\" + c if c in '"\\' else "".join(f"\\x{b:02x}" for b in c.encode()))
                       for c in w)
    lines = [f'"{esc(w)}"' for w in sorted(set(words))]
    (d / f"{target}.dict").write_text("\n".join(lines) + "\n")
    return len(lines)

readers = literals(["src/extract/*.rs", "src/discover/*.rs", "src/project/*.rs", "src/tree/*.rs"])
config = literals(["src/config/*.rs"])
words = rule_words()
sizes = {
    "yaml": write_dict("yaml", YAML),
    "manifest": write_dict("manifest", YAML + sorted(config | words)),
    "check_file": write_dict("check_file", YAML + sorted(readers | words)),
    "project": write_dict("project", YAML + sorted(readers | config | words)),
}
print({t.name: len(list(t.iterdir())) for t in sorted(corpus.iterdir())}, "dictionaries:", sizes)
