# syntax=docker/dockerfile:1
# shiftwatch service image: `shiftwatch serve` on Node 20 (the line the project is tested on, see
# .nvmrc), as a non-root user, with production dependencies only. docs/operations.md, "The image".
#
#   docker build -t shiftwatch:0.1.0 .
#   docker run --rm -p 9464:9464 \
#     -v "$PWD/shiftwatch.yaml:/etc/shiftwatch/shiftwatch.yaml:ro" -v "$PWD/bundles:/bundles:ro" \
#     shiftwatch:0.1.0
#
# The config file is read from SHIFTWATCH_CONFIG (/etc/shiftwatch/shiftwatch.yaml); give bundles
# absolute paths (e.g. /bundles/<model>): relative ones resolve against the config file's folder.
# Other commands run by name: `docker run --rm shiftwatch:0.1.0 fit --help`.
# --build-arg NODE_VERSION=20.20.2 pins the exact Node release of .nvmrc.
ARG NODE_VERSION=20

# Compiles the TypeScript sources (needs the dev dependencies: tsc).
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies only. onnxruntime-node ships its CPU runtime (libonnxruntime.so.1 and the
# N-API binding, linked against glibc and libstdc++, hence a Debian base and not Alpine) for every
# platform; its install step would download CUDA provider files, which the CPU image does not use
# (ONNXRUNTIME_NODE_INSTALL=skip, as scripts/setup does). The other platforms' binaries are removed.
FROM node:${NODE_VERSION}-bookworm-slim AS deps
ARG TARGETARCH
WORKDIR /app
COPY package.json package-lock.json ./
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --no-audit --no-fund --loglevel=error \
 && npm cache clean --force \
 && ort=node_modules/onnxruntime-node/bin/napi-v6 \
 && arch="$(case "${TARGETARCH:-$(dpkg --print-architecture)}" in amd64) echo x64 ;; arm64) echo arm64 ;; *) echo unsupported ;; esac)" \
 && test -f "$ort/linux/$arch/libonnxruntime.so.1" \
 && find "$ort" -mindepth 1 -maxdepth 2 -type d ! -path "$ort/linux" ! -path "$ort/linux/$arch" -prune -exec rm -rf {} +

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    SHIFTWATCH_CONFIG=/etc/shiftwatch/shiftwatch.yaml
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The node image's unprivileged user (uid 1000); nothing in /app is writable by it.
USER node
# http.port (metrics, /health, /ready, /status). Another port: set SHIFTWATCH__HTTP__PORT, which the
# health check reads too.
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SHIFTWATCH__HTTP__PORT || 9464) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve"]
