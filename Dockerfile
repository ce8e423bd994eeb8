# syntax=docker/dockerfile:1
# Retaguarda: one image for every role (serve, api, worker, process).

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# sharp, @napi-rs/canvas and tesseract.js ship their binaries/wasm inside npm packages; the OCR
# traineddata (eng, por, spa, osd) comes from the @tesseract.js-data packages, so nothing is fetched at run time.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
ENTRYPOINT ["node", "bin/retaguarda.js"]
CMD ["serve"]
