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
for q in ["0.5ms", "forever", "1.2M/min", "4KiB", "200k", "10MB/s", "1_000ms", "0"]:
    put("quantity", q.encode())
print({t.name: len(list(t.iterdir())) for t in sorted(corpus.iterdir())})
