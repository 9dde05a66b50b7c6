#!/usr/bin/env python3
"""Generates the benchmark monorepo deterministically: N services, each with compose,
Kubernetes, AsyncAPI, broker configs, package manifests, source files and docs; every third
service has a busfit.yaml. Usage: gen_corpus.py OUT_DIR [SERVICES]"""
import os
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
rng = random.Random(20261125)

BUSES = ["kafka", "redis", "mqtt"]
IMAGES = {"kafka": "confluentinc/cp-kafka:7.6.1", "redis": "redis:7.2", "mqtt": "eclipse-mosquitto:2.0"}
LIBS = {"kafka": "kafkajs", "redis": "ioredis", "mqtt": "mqtt"}
PY = {"kafka": "confluent-kafka==2.3.0", "redis": "redis==5.0.1", "mqtt": "paho-mqtt==2.1.0"}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


for i in range(n):
    bus = BUSES[i % 3]
    svc = f"svc{i:04d}"
    d = os.path.join(out, "services", svc)
    rf = rng.choice([1, 3])
    write(f"{d}/docker-compose.yml", f"""services:
  broker:
    image: {IMAGES[bus]}
    environment:
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: {rf}
      KAFKA_MIN_INSYNC_REPLICAS: {rng.choice([1, 2])}
  app:
    build: .
    depends_on: [broker]
    environment:
      BROKER_URL: {bus}://broker:1234
""")
    write(f"{d}/k8s/deployment.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {svc}
  labels: {{ app: {svc} }}
spec:
  replicas: {rng.randint(1, 5)}
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/{svc}:1.{i}
          env:
            - name: LOG_LEVEL
              value: info
---
apiVersion: v1
kind: Service
metadata:
  name: {svc}
spec:
  ports: [{{ port: 80 }}]
""")
    write(f"{d}/asyncapi.yaml", f"""asyncapi: 2.6.0
info:
  title: {svc}
  version: 1.0.0
servers:
  prod:
    url: broker:1234
    protocol: {bus}
channels:
  {svc}/events:
    subscribe:
      message:
        payload: {{ type: object }}
""")
    if bus == "kafka":
        write(f"{d}/config/server.properties", f"process.roles=broker,controller\nnode.id={i}\nlisteners=PLAINTEXT://:9092\nnum.partitions={rng.randint(1, 12)}\n")
    elif bus == "redis":
        write(f"{d}/config/redis.conf", f"bind 127.0.0.1\nappendonly {rng.choice(['yes', 'no'])}\nmaxmemory-policy {rng.choice(['noeviction', 'allkeys-lru'])}\n")
    else:
        write(f"{d}/config/mosquitto.conf", f"listener 1883\nallow_anonymous {rng.choice(['true', 'false'])}\npersistence true\n")
    write(f"{d}/package.json", f'{{\n  "name": "{svc}",\n  "version": "1.0.{i}",\n  "dependencies": {{\n    "{LIBS[bus]}": "^5.0.0",\n    "express": "^4.19.0"\n  }}\n}}\n')
    write(f"{d}/requirements.txt", f"{PY[bus]}\nfastapi>=0.110\npydantic>=2\n")
    for k in range(3):
        body = "\n".join(f"    x{j} = {j} * {k}" for j in range(rng.randint(20, 60)))
        write(f"{d}/src/module{k}.py", f"def handler{k}(event):\n{body}\n    return event\n")
    write(f"{d}/Dockerfile", f"FROM python:3.12-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD [\"python\", \"-m\", \"{svc}\"]\n")
    write(f"{d}/docs/architecture.md", f"# {svc} architecture\n\n" + "The service consumes events and writes state. " * rng.randint(5, 20) + "\n")
    write(f"{d}/README.md", f"# {svc}\n\n" + "Lorem ipsum dolor sit amet. " * rng.randint(10, 40) + "\n")
    if i % 3 == 0:
        write(f"{d}/busfit.yaml", f"""version: 1
flows:
  - name: {svc}-events
    bus: {bus}
    requires:
      delivery: {rng.choice(['at-least-once', 'exactly-once'])}
      latency: {rng.choice(['5ms', '50ms', '500ms'])}
      retention: {rng.choice(['0', '1d', '7d'])}
""")
write(os.path.join(out, "README.md"), "# generated monorepo for the busfit benchmark\n")
