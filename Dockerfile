# busfit as a container image: a static binary on an empty base, run as a non-root user in
# /src, where the repository to check is mounted:
#
#   docker run --rm -v "$PWD:/src" IMAGE check .
#
# Build stage: Rust on Alpine links against musl, so the binary is static.
FROM rust:1.88-alpine3.22 AS build
WORKDIR /build
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY rules ./rules
RUN cargo build --release --locked \
    && strip target/release/busfit \
    && ./target/release/busfit --version

# Run stage: nothing but the binary (no shell, no package manager).
FROM scratch
COPY --from=build /build/target/release/busfit /usr/local/bin/busfit
# 65532: the conventional unprivileged user of distroless images; no passwd file is needed
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/busfit"]
CMD ["check", "."]
