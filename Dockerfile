# One image for all of Tidemark: tidemark-operator, tidemark-sidecar (also the restore init
# container) and the tidemark CLI, so the operator and the sidecars it deploys are always the
# same version. Build: docker build -t tidemark:dev .   (needs a Docker engine; see docs/images.md)

FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libssl-dev liblzf-dev libcpprest-dev libyaml-cpp-dev libhiredis-dev libboost-system-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTIDEMARK_TESTS=OFF \
    && cmake --build /build -j"$(nproc)" \
    && mkdir -p /out \
    && for b in tidemark tidemark-sidecar tidemark-operator; do \
         if [ -x "/build/bin/$b" ]; then install -m 0755 "/build/bin/$b" /out/; fi; \
       done

FROM debian:12-slim
# Only the shared libraries the binaries link; no shell tools beyond the base image.
RUN apt-get update && apt-get install -y --no-install-recommends \
      ca-certificates libssl3 liblzf1 libcpprest2.10 libyaml-cpp0.7 libhiredis0.14 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 65532 tidemark && useradd --uid 65532 --gid 65532 --no-create-home \
         --home-dir /nonexistent --shell /usr/sbin/nologin tidemark
COPY --from=build /out/ /usr/local/bin/
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/tidemark-operator"]
