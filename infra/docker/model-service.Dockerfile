# syntax=docker/dockerfile:1.7
# One image per model, all from this file:
#   docker build -f infra/docker/model-service.Dockerfile --build-arg MODEL_ID=resnet \
#     --build-context modelgate-base=docker-image://modelgate-base -t modelgate-resnet .
# The model is pulled and its sha256 checked here, at build time (`pnpm models pull`), so a container
# starts in seconds and never needs the network. A mirror: MODELS_FROM=https://mirror.internal/models,
# or a folder with --build-context models-mirror=/mnt/mirror and MODELS_FROM=/mirror.
# The container runs what `pnpm --dir services/<id> start` runs: model-server service.json.
ARG BASE_IMAGE=modelgate-base

# Empty unless --build-context models-mirror=<folder> replaces it.
FROM scratch AS models-mirror

FROM ${BASE_IMAGE} AS models
# scripts/models.ts runs with the repository root's tools (tsx, typebox): installed in this stage only.
# CI=true: pnpm replaces the production-only node_modules without asking for a terminal.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    CI=true ONNXRUNTIME_NODE_INSTALL=skip pnpm install --frozen-lockfile --store-dir /pnpm/store --filter modelgate --filter "@modelgate/model-server..."
COPY scripts/ scripts/
COPY models/zoo/ models/zoo/
COPY services/model-server/src/ services/model-server/src/
ARG MODEL_ID
ARG MODELS_FROM=
RUN --mount=type=bind,from=models-mirror,target=/mirror \
    test -n "$MODEL_ID" || { echo 'build argument MODEL_ID is required (resnet, mobilenet, resnet-int8)' >&2; exit 1; } ; \
    MODELS_DIR=/models pnpm models pull "$MODEL_ID" ${MODELS_FROM:+--from "$MODELS_FROM"}

FROM ${BASE_IMAGE}
ARG MODEL_ID
LABEL org.opencontainers.image.title="modelgate-${MODEL_ID}" \
      org.opencontainers.image.description="Modelgate model service: ${MODEL_ID}" \
      org.opencontainers.image.licenses="Apache-2.0"
# The model first: a code change leaves this (large) layer as it is.
COPY --from=models /models/${MODEL_ID}/ /models/${MODEL_ID}/
COPY LICENSE NOTICE ./
COPY packages/server-kit/ packages/server-kit/
COPY services/model-server/ services/model-server/
COPY services/${MODEL_ID}/service.json services/${MODEL_ID}/

# The port is service.json's (8101, 8102, 8103); PORT would override it. HOST: reachable from outside.
ENV HOST=0.0.0.0 \
    MODEL_BUNDLE=/models/${MODEL_ID}
# A numeric user, so Kubernetes' runAsNonRoot can check it (uid 1000 is "node" in the Node images).
USER 1000:1000
WORKDIR /app/services/${MODEL_ID}
# /readyz answers 200 once the model is loaded and warmed up. No curl in slim images: Node's fetch.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const port = process.env.PORT || require('./service.json').port; fetch('http://127.0.0.1:' + port + '/readyz', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
CMD ["node", "../model-server/bin/model-server.js", "service.json"]
