# syntax=docker/dockerfile:1
# The Tern images: one Dockerfile, two targets that share every layer but the entry point.
#
#   docker build --target tern-server   -t ghcr.io/tern-dev/tern-server:0.1.0   .
#   docker build --target tern-operator -t ghcr.io/tern-dev/tern-operator:0.1.0 .
#
# Both contain the three commands (tern, tern-server, tern-operator) on PATH, run as the unprivileged
# user 65532, write nothing outside /tmp (fine with readOnlyRootFilesystem plus an emptyDir on /tmp),
# and hold only production dependencies (~150 MB: onnxruntime-node's native libraries for the image's
# platform, the Kubernetes client) on the Node base.
# The image names matter: ModelRelease pods use ghcr.io/tern-dev/tern-server:<version> with command
# ["tern-server"] (docs/conventions.md), the chart ghcr.io/tern-dev/tern-operator:<appVersion>.
#
# onnxruntime-node's CPU and WebGPU providers are bundled in the npm package. The CUDA provider needs
# its install script (which downloads the CUDA libraries, skipped by .npmrc) and a CUDA base image:
# build with --build-arg NODE_IMAGE=<a CUDA 12 runtime image with Node 20> --build-arg ORT_INSTALL=cuda12.
#
# The machines that run this repository's tests have no container engine: there `make images` builds
# this file with buildah on a Debian base of its own (docs/images.md).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript, then drop dev dependencies -------------------------------------
FROM ${NODE_IMAGE} AS build
ARG ORT_INSTALL=skip
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
# onnxruntime-node's install script reads ONNXRUNTIME_NODE_INSTALL before .npmrc (npm 11 refuses
# `npm config set` of a key it does not know, so the variable it is).
RUN ONNXRUNTIME_NODE_INSTALL="${ORT_INSTALL}" npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY common ./common
COPY operator ./operator
COPY server ./server
COPY models ./models
# onnxruntime-node bundles its native libraries for every platform (~290 MB); keep this one's (~45 MB).
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund \
 && ort=node_modules/onnxruntime-node/bin/napi-v6 platform="$(node -p 'process.platform + "/" + process.arch')" \
 && test -d "$ort/$platform" \
 && find "$ort" -mindepth 2 -maxdepth 2 ! -path "$ort/$platform" -exec rm -rf {} + \
 && find "$ort" -mindepth 1 -maxdepth 1 -type d -empty -delete

# ---- runtime: what both images share ------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
RUN chmod 0755 bin/*.js \
 && ln -s /app/bin/tern.js /usr/local/bin/tern \
 && ln -s /app/bin/tern-server.js /usr/local/bin/tern-server \
 && ln -s /app/bin/tern-operator.js /usr/local/bin/tern-operator
# Files stay root-owned and read-only to the process.
USER 65532:65532

# ---- tern-server: the inference server every model pod runs --------------------------------------
FROM runtime AS tern-server
# bin/tern-server.js's first line gives node the V8 flags of server/node-options.ts (a fixed 2 MB young
# generation, no memory reducer); NODE_OPTIONS may not carry them.
EXPOSE 8080
ENTRYPOINT ["tern-server"]

# ---- tern-operator: the operator the Helm chart deploys --------------------------------------------
FROM runtime AS tern-operator
# V8's young generation capped at 2 x 4 MB: less resident memory (see the chart's nodeOptions value).
ENV NODE_OPTIONS="--max-semi-space-size=4"
EXPOSE 8080
ENTRYPOINT ["tern-operator"]
