# receipt-sync: one image, the process selected by the APP build arg (an entry of apps/service or apps/cli).
#   docker build --build-arg APP=writer -t receipt-sync-writer .
# APP: producer transformer writer dashboard receiver supervisor simulator sync-once cli (default: supervisor = `npm start`).
# One-off cycle with any image:  docker run --rm --env-file deploy/receipt-sync.env IMAGE node dist/sync-once.js
#
# Stages: manifests (package.json files only, so `npm ci` layers stay cached while sources change)
#         → deps (all deps) → build (esbuild bundles per app) → runtime (prod deps + apps/*/dist only).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
# Keep the workspace layout: npm ci needs every workspace's package.json where the lockfile expects it.
RUN mkdir -p /manifests \
 && cp package.json package-lock.json /manifests/ \
 && if [ -f .npmrc ]; then cp .npmrc /manifests/; fi \
 && find apps packages -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /manifests/ \;

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# Strict: an app folder without src/main.ts fails the image build instead of shipping without an entry point.
ENV BUILD_APP_STRICT=1
# npm workspaces rather than turbo: an image build always starts clean, so turbo's cache buys nothing here.
RUN npm run build --workspaces --if-present \
 && mkdir -p /out/dist \
 && cp -R apps/*/dist/. /out/dist/

FROM ${NODE_IMAGE} AS runtime
# dumb-init (Debian package) runs as PID 1: it forwards SIGTERM/SIGINT to node and reaps zombies.
# Node as PID 1 gets no default signal dispositions from the kernel, so a signal arriving before the app
# registers its handlers (or in a path that forgot one) is ignored and `docker stop` ends in SIGKILL after the
# grace period, killing in-flight BatchSave calls (docs/operations.md#pid-1-init). Same effect as `docker run --init`,
# but baked in so compose, Kubernetes and plain `docker run` all behave alike.
RUN apt-get update \
 && apt-get install -y --no-install-recommends dumb-init \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=manifests /manifests/ ./
# Production deps only. Workspace links are dropped: packages/* are bundled into each entry's bundle.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf node_modules/@receipt-sync
COPY --from=build /out/dist/ ./dist/
COPY deploy/healthcheck.js ./deploy/healthcheck.js

# Last, so every app image shares every layer above.
ARG APP=supervisor
# V8 heap cap in MB per app (HEAP_LIMIT_MB in packages/core/src/config/heap.ts; docker-compose.yml passes each
# app's value). Without it V8 sizes the heap from the host's memory and a stage sits at 250 MB resident.
ARG HEAP_MB=384
ENV APP=${APP} \
    NODE_OPTIONS="--enable-source-maps --max-old-space-size=${HEAP_MB}"
# Health ports: producer 9101, transformer 9102, writer 9103, dashboard/supervisor 3000, receiver 3200 (WEBHOOK_PORT,
# also its health port), simulator 4010 + 4020.
EXPOSE 3000 3200 9101 9102 9103 4010 4020
USER node
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/deploy/healthcheck.js"]
ENTRYPOINT ["dumb-init", "--"]
# exec: node replaces sh, so dumb-init's signals reach node directly.
CMD ["sh", "-c", "exec node \"dist/${APP}.js\""]
